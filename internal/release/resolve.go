package release

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"
)

// Resolution reads an in-memory snapshot per app, never the database: it
// runs on every launch. A snapshot is rebuilt after each change made
// through this Service and, for changes made on other servers, when Run
// sees the app's rev move (every RefreshInterval).

// RefreshInterval is how often Run looks for changes made by other
// servers; snapshots are at most this stale (plus one load).
const RefreshInterval = 2 * time.Second

type verRef struct {
	id      int64
	hash    string
	ext     string
	created int64
	label   string // user_version
}

type graySnap struct {
	ver        verRef
	percentage uint64
	expFirst   bool
	dbgFirst   bool
	named      map[string]struct{}
}

// Member role bits in a snapshot.
const (
	bitTrial   = 1
	bitProject = 2
)

type snapshot struct {
	rev     int64
	online  verRef
	trial   verRef
	newest  verRef
	gray    *graySnap
	members map[string]uint8
}

// GrayBucket is the user's stable bucket 0–99 in the app's gray plans: the
// first 8 bytes of SHA-256("gray:" + appid + ":" + openid), big-endian,
// mod 100. A user is in the gray version when bucket < percentage.
func GrayBucket(appid, openid string) uint64 {
	var buf [160]byte
	b := append(buf[:0], "gray:"...)
	b = append(b, appid...)
	b = append(b, ':')
	b = append(b, openid...)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8]) % 100
}

// Resolve says which version userID (whose OpenID in this app is openid)
// gets on a launch; env is "", "release", "trial" or "develop". It reads
// memory only (the first launch of an app on this server loads its
// snapshot).
func (s *Service) Resolve(appid, userID, openid, env string) (Resolution, error) {
	sn, err := s.snapshotOf(appid)
	if err != nil {
		return Resolution{}, err
	}
	role := sn.members[userID]
	switch env {
	case "develop":
		if role&bitProject == 0 {
			return Resolution{}, fmt.Errorf("%w: the develop version is for project members", ErrNotMember)
		}
		if sn.newest.id == 0 {
			return Resolution{}, fmt.Errorf("%w: nothing was uploaded", ErrNoVersion)
		}
		return Resolution{VersionID: sn.newest.id, ManifestHash: sn.newest.hash, Channel: ChannelDevelop, CreatedAt: sn.newest.created, UserVersion: sn.newest.label}, nil
	case "trial":
		if role == 0 {
			return Resolution{}, fmt.Errorf("%w: the trial version is for trial and project members", ErrNotMember)
		}
		if sn.trial.id == 0 {
			return Resolution{}, fmt.Errorf("%w: no version was committed for trial", ErrNoVersion)
		}
		return Resolution{VersionID: sn.trial.id, ManifestHash: sn.trial.hash, Channel: ChannelTrial, ExtJSON: sn.trial.ext, CreatedAt: sn.trial.created, UserVersion: sn.trial.label}, nil
	case "", "release":
	default:
		return Resolution{}, fmt.Errorf("%w: env_version %q is not release, trial or develop", ErrBadInput, env)
	}
	if sn.online.id == 0 {
		return Resolution{}, ErrNoVersion
	}
	if g := sn.gray; g != nil {
		_, named := g.named[openid]
		if named || (g.expFirst && role&bitTrial != 0) || (g.dbgFirst && role&bitProject != 0) ||
			(openid != "" && GrayBucket(appid, openid) < g.percentage) {
			return Resolution{VersionID: g.ver.id, ManifestHash: g.ver.hash, Channel: ChannelGray, ExtJSON: g.ver.ext, CreatedAt: g.ver.created, UserVersion: g.ver.label}, nil
		}
	}
	return Resolution{VersionID: sn.online.id, ManifestHash: sn.online.hash, Channel: ChannelOnline, ExtJSON: sn.online.ext, CreatedAt: sn.online.created, UserVersion: sn.online.label}, nil
}

func (s *Service) snapshotOf(appid string) (*snapshot, error) {
	if v, ok := s.snaps.Load(appid); ok {
		return v.(*snapshot), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sn, err := s.load(ctx, appid)
	if err != nil {
		return nil, err
	}
	// A concurrent reload may have stored a newer one; keep the newest.
	if v, loaded := s.snaps.LoadOrStore(appid, sn); loaded && v.(*snapshot).rev >= sn.rev {
		return v.(*snapshot), nil
	}
	s.snaps.Store(appid, sn)
	return sn, nil
}

// reload rebuilds the app's snapshot; when that fails the snapshot is
// dropped so the next launch loads it afresh rather than reading an old one.
func (s *Service) reload(ctx context.Context, appid string) {
	sn, err := s.load(ctx, appid)
	if err != nil {
		s.snaps.Delete(appid)
		if ctx.Err() == nil {
			slog.Warn("reload version snapshot", "appid", appid, "err", err)
		}
		return
	}
	s.snaps.Store(appid, sn)
}

// load reads the app's snapshot. rev is read first, so
// a change committed during the load leaves a rev that Run sees as stale.
func (s *Service) load(ctx context.Context, appid string) (*snapshot, error) {
	sn := &snapshot{members: map[string]uint8{}}
	if err := s.db.QueryRow(ctx, "SELECT COALESCE(MAX(rev), 0) FROM mp_release_state WHERE appid = ?", appid).Scan(&sn.rev); err != nil {
		return nil, err
	}
	st, err := s.readState(ctx, s.db, appid)
	if err != nil {
		return nil, err
	}
	sn.online = verRef{id: st.onlineVersion, ext: st.onlineExt}
	sn.trial = verRef{id: st.trialVersion, ext: st.trialExt}
	g, err := runningGrayTx(ctx, s.db, appid)
	if err != nil {
		return nil, err
	}
	if g != nil {
		sn.gray = &graySnap{ver: verRef{id: g.VersionID}, percentage: uint64(g.Percentage), expFirst: g.ExperiencerFirst,
			dbgFirst: g.DebuggerFirst, named: make(map[string]struct{}, len(g.NamedOpenIDs))}
		for _, id := range g.NamedOpenIDs {
			sn.gray.named[id] = struct{}{}
		}
		if err := s.db.QueryRow(ctx, "SELECT ext_json FROM mp_audits WHERE id = ?", g.auditID).Scan(&sn.gray.ver.ext); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.Query(ctx, "SELECT id, manifest_hash, created_at, user_version FROM mp_versions WHERE appid = ? AND (id IN (?, ?, ?) OR id = (SELECT MAX(id) FROM mp_versions WHERE appid = ?))",
		appid, sn.online.id, sn.trial.id, grayVersion(sn.gray), appid)
	if err != nil {
		return nil, err
	}
	found := map[int64]verRef{}
	for rows.Next() {
		var v verRef
		if err := rows.Scan(&v.id, &v.hash, &v.created, &v.label); err != nil {
			rows.Close()
			return nil, err
		}
		found[v.id] = v
		if v.id > sn.newest.id {
			sn.newest = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range []*verRef{&sn.online, &sn.trial, grayRef(sn.gray)} {
		if r != nil && r.id != 0 {
			r.hash, r.created, r.label = found[r.id].hash, found[r.id].created, found[r.id].label
		}
	}
	mrows, err := s.db.Query(ctx, "SELECT user_id, role FROM mp_members WHERE appid = ?", appid)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var user, role string
		if err := mrows.Scan(&user, &role); err != nil {
			return nil, err
		}
		if role == RoleProject {
			sn.members[user] |= bitProject
		} else {
			sn.members[user] |= bitTrial
		}
	}
	return sn, mrows.Err()
}

func grayVersion(g *graySnap) int64 {
	if g == nil {
		return 0
	}
	return g.ver.id
}

func grayRef(g *graySnap) *verRef {
	if g == nil {
		return nil
	}
	return &g.ver
}

// refresh reloads the snapshots this server holds whose app changed
// elsewhere (its rev moved).
func (s *Service) refresh(ctx context.Context) error {
	rows, err := s.db.Query(ctx, "SELECT appid, rev FROM mp_release_state")
	if err != nil {
		return err
	}
	var stale []string
	for rows.Next() {
		var appid string
		var rev int64
		if err := rows.Scan(&appid, &rev); err != nil {
			rows.Close()
			return err
		}
		if v, ok := s.snaps.Load(appid); ok && v.(*snapshot).rev != rev {
			stale = append(stale, appid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, appid := range stale {
		s.reload(ctx, appid)
	}
	return nil
}

// Run promotes gray plans past Policy.GrayAutoFullAfter and refreshes the
// resolution snapshots until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(RefreshInterval)
	defer t.Stop()
	var promoted time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.refresh(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("refresh version snapshots", "err", err)
		}
		if time.Since(promoted) >= time.Minute {
			promoted = time.Now()
			if err := s.promoteDueGrayPlans(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("promote gray releases", "err", err)
			}
		}
	}
}
