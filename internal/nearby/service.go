package nearby

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Subjects tells the service who owns an app (individuals may not use
// nearby).
type Subjects interface {
	CachedSubject(ctx context.Context, id string) (*account.Subject, error)
}

// Service is the nearby domain over one database, with this server's
// spatial index of the visible POIs.
type Service struct {
	db       *store.DB
	subjects Subjects
	policy   Policy
	index    atomic.Pointer[Index]
	now      func() time.Time

	// refreshMu serializes refreshes; since is where the next one starts.
	refreshMu sync.Mutex
	since     int64
}

// NewService returns the service with its index loaded from storage.
func NewService(ctx context.Context, db *store.DB, subjects Subjects, policy Policy) (*Service, error) {
	s := &Service{db: db, subjects: subjects, policy: policy, now: time.Now}
	if err := s.Load(ctx); err != nil {
		return nil, fmt.Errorf("load nearby index: %w", err)
	}
	return s, nil
}

// Policy returns the rules in force.
func (s *Service) Policy() Policy { return s.policy }

// Index is the service's spatial index (read-only use: benchmarks, tests).
func (s *Service) Index() *Index { return s.index.Load() }

const poiColumns = "id, appid, audit_id, store_name, address, hour, company_name, contract_phone, credential, qualification_list, " +
	"map_poi_id, kf_info, pic_list, service_infos, is_comm_nearby, latitude, longitude, audit_status, display_status, refuse_reason, " +
	"created_at, updated_at, deleted_at"

func scanPOI(row interface{ Scan(...any) error }) (*POI, error) {
	var p POI
	err := row.Scan(&p.ID, &p.AppID, &p.AuditID, &p.StoreName, &p.Address, &p.Hour, &p.CompanyName, &p.ContractPhone, &p.Credential,
		&p.QualificationList, &p.MapPoiID, &p.KFInfo, &p.PicList, &p.ServiceInfos, &p.IsCommNearby, &p.Latitude, &p.Longitude,
		&p.AuditStatus, &p.DisplayStatus, &p.RefuseReason, &p.CreatedAt, &p.UpdatedAt, &p.DeletedAt)
	return &p, err
}

// Load rebuilds the index from every visible POI.
func (s *Service) Load(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	start := s.now().Unix()
	rows, err := s.db.Query(ctx, "SELECT id, appid, store_name, address, latitude, longitude FROM mp_nearby_pois "+
		"WHERE deleted_at = 0 AND audit_status = ? AND display_status = 1", AuditApproved)
	if err != nil {
		return err
	}
	defer rows.Close()
	var places []*Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.ID, &p.AppID, &p.StoreName, &p.Address, &p.Latitude, &p.Longitude); err != nil {
			return err
		}
		places = append(places, &p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ix := NewIndex(s.policy.CellDegrees)
	ix.PutAll(places)
	s.index.Store(ix)
	s.since = start
	return nil
}

// refreshSlack re-reads rows changed this many seconds before the last
// refresh began: a write committed by another server in the same second,
// or with its clock a little behind, is still seen. Re-applying a row is
// harmless.
const refreshSlack = 5

// Refresh applies POIs changed (by any server) since the last refresh to
// the index.
func (s *Service) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	start := s.now().Unix()
	rows, err := s.db.Query(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE updated_at >= ?", s.since-refreshSlack)
	if err != nil {
		return err
	}
	defer rows.Close()
	var changed []*POI
	for rows.Next() {
		p, err := scanPOI(rows)
		if err != nil {
			return err
		}
		changed = append(changed, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range changed {
		s.apply(p)
	}
	s.since = start
	return nil
}

// apply brings one POI's index entry in step with its row.
func (s *Service) apply(p *POI) {
	if p.visible() {
		s.Index().Put(p.place())
	} else {
		s.Index().Remove(p.ID)
	}
}

// Run refreshes the index every Policy.RefreshEvery and prunes deleted
// rows a day old, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	every := s.policy.RefreshEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("refresh nearby index", "err", err)
		}
	}
}

// Sweep forgets POIs deleted more than a day ago: every server has long
// since refreshed past them.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM mp_nearby_pois WHERE deleted_at > 0 AND deleted_at < ?", s.now().Add(-24*time.Hour).Unix())
	return err
}

// credentialPattern is a business-registration number (15 digits), an
// organization code (9) or a unified social credit code (18).
var credentialPattern = regexp.MustCompile(`^(?:[0-9A-Z]{9}|[0-9]{15}|[0-9A-Z]{18})$`)

var hourPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$`)

// text checks a free-text field: storable, at most max characters, and
// present when required.
func text(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case !input.Storable(v):
		return "", input.Errorf(field, "must be UTF-8 text without NUL characters")
	case required && v == "":
		return "", input.Errorf(field, "is required")
	case utf8.RuneCountInString(v) > max:
		return "", input.Errorf(field, fmt.Sprintf("must be at most %d characters", max))
	}
	return v, nil
}

// ValidCoordinates checks a WGS-84 position.
func ValidCoordinates(lat, lng float64) error {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return input.Errorf("latitude", "must be a WGS-84 latitude between -90 and 90")
	}
	if math.IsNaN(lng) || lng < -180 || lng > 180 {
		return input.Errorf("longitude", "must be a WGS-84 longitude between -180 and 180")
	}
	return nil
}

func (in *POIInput) validate() (*POI, error) {
	p := &POI{}
	var err error
	fields := []struct {
		name     string
		src      string
		dst      *string
		max      int
		required bool
	}{
		{"store_name", in.StoreName, &p.StoreName, 64, true},
		{"address", in.Address, &p.Address, 200, true},
		{"hour", in.Hour, &p.Hour, 32, false},
		{"company_name", in.CompanyName, &p.CompanyName, 128, false},
		{"contract_phone", in.ContractPhone, &p.ContractPhone, 32, false},
		{"credential", in.Credential, &p.Credential, 32, true},
		{"qualification_list", in.QualificationList, &p.QualificationList, 4096, false},
		{"map_poi_id", in.MapPoiID, &p.MapPoiID, 64, false},
		{"kf_info", in.KFInfo, &p.KFInfo, 4096, false},
		{"pic_list", in.PicList, &p.PicList, 8192, false},
		{"service_infos", in.ServiceInfos, &p.ServiceInfos, 8192, false},
		{"is_comm_nearby", in.IsCommNearby, &p.IsCommNearby, 1, false},
	}
	for _, f := range fields {
		if *f.dst, err = text(f.name, f.src, f.max, f.required); err != nil {
			return nil, err
		}
	}
	if !credentialPattern.MatchString(p.Credential) {
		return nil, input.Errorf("credential", "must be a 15-digit business registration number, a 9-character organization code or an 18-character unified social credit code")
	}
	if p.Hour != "" && !hourPattern.MatchString(p.Hour) {
		return nil, input.Errorf("hour", `must be opening hours like "09:00-21:30"`)
	}
	if p.IsCommNearby == "" {
		p.IsCommNearby = "1"
	} else if p.IsCommNearby != "0" && p.IsCommNearby != "1" {
		return nil, input.Errorf("is_comm_nearby", `must be "0" or "1"`)
	}
	if in.Latitude == nil {
		return nil, input.Errorf("latitude", "is required (WGS-84 degrees; this server does not resolve map_poi_id)")
	}
	if in.Longitude == nil {
		return nil, input.Errorf("longitude", "is required (WGS-84 degrees; this server does not resolve map_poi_id)")
	}
	if err := ValidCoordinates(*in.Latitude, *in.Longitude); err != nil {
		return nil, err
	}
	p.Latitude, p.Longitude = *in.Latitude, *in.Longitude
	return p, nil
}

// Add registers a POI for the mini program app. Serialized across the
// deployment (WeChat asks for calls a second apart anyway), so the quota
// and "one mini program per place" hold when requests race.
func (s *Service) Add(ctx context.Context, app *account.App, in POIInput) (*POI, error) {
	if app.Kind != account.MiniProgram {
		return nil, ErrNotMiniProgram
	}
	sub, err := s.subjects.CachedSubject(ctx, app.SubjectID)
	if err != nil {
		return nil, err
	}
	if sub.Kind == account.Individual {
		return nil, ErrIndividual
	}
	p, err := in.validate()
	if err != nil {
		return nil, err
	}
	now := s.now().Unix()
	p.AppID, p.AuditID, p.CreatedAt, p.UpdatedAt = app.AppID, auditID(), now, now
	p.AuditStatus, p.DisplayStatus = AuditApproved, 1
	if s.policy.ManualAudit {
		p.AuditStatus, p.DisplayStatus = AuditReviewing, 0
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "nearby:add"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_nearby_pois WHERE appid = ? AND deleted_at = 0", app.AppID).Scan(&n); err != nil {
			return err
		}
		if n >= s.policy.MaxPerApp {
			return fmt.Errorf("%w: %d of max_apply_num %d used", ErrQuotaReached, n, s.policy.MaxPerApp)
		}
		if p.MapPoiID != "" {
			var owner string
			err := tx.QueryRow(ctx, "SELECT appid FROM mp_nearby_pois WHERE map_poi_id = ? AND deleted_at = 0", p.MapPoiID).Scan(&owner)
			switch {
			case err == nil && owner == app.AppID:
				return fmt.Errorf("%w: map_poi_id %s", ErrAlreadyAdded, p.MapPoiID)
			case err == nil:
				return fmt.Errorf("%w: map_poi_id %s", ErrPlaceTaken, p.MapPoiID)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		var other string
		err := tx.QueryRow(ctx, "SELECT appid FROM mp_nearby_pois WHERE credential = ? AND deleted_at = 0 AND appid <> ? LIMIT 1", p.Credential, app.AppID).Scan(&other)
		if err == nil {
			return fmt.Errorf("%w: credential %s", ErrPlaceTaken, p.Credential)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRow(ctx, "INSERT INTO mp_nearby_pois(appid, audit_id, store_name, address, hour, company_name, contract_phone, credential, "+
			"qualification_list, map_poi_id, kf_info, pic_list, service_infos, is_comm_nearby, latitude, longitude, audit_status, display_status, "+
			"refuse_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id",
			p.AppID, p.AuditID, p.StoreName, p.Address, p.Hour, p.CompanyName, p.ContractPhone, p.Credential, p.QualificationList, p.MapPoiID,
			p.KFInfo, p.PicList, p.ServiceInfos, p.IsCommNearby, p.Latitude, p.Longitude, p.AuditStatus, p.DisplayStatus, p.CreatedAt, p.UpdatedAt).
			Scan(&p.ID)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, fmt.Errorf("%w: map_poi_id %s", ErrPlaceTaken, p.MapPoiID)
		}
		return nil, err
	}
	s.apply(p)
	return p, nil
}

// auditID is WeChat-shaped: a decimal number as a string.
func auditID() string {
	b := random.Bytes(8)
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return strconv.FormatUint(n%9_000_000_000+1_000_000_000, 10)
}

// POI returns one of app's POIs; another app's is ErrPOINotFound.
func (s *Service) POI(ctx context.Context, appid string, id int64) (*POI, error) {
	p, err := scanPOI(s.db.QueryRow(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE id = ? AND appid = ? AND deleted_at = 0", id, appid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: poi_id %d", ErrPOINotFound, id)
	}
	return p, err
}

// List returns page (from 1) of app's POIs, pageRows a page, oldest first,
// with the quota WeChat reports alongside.
func (s *Service) List(ctx context.Context, appid string, page, pageRows int) (*POIPage, error) {
	if page < 1 {
		return nil, input.Errorf("page", "must be at least 1")
	}
	if pageRows < 1 || pageRows > 1000 {
		return nil, input.Errorf("page_rows", "must be between 1 and 1000")
	}
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM mp_nearby_pois WHERE appid = ? AND deleted_at = 0", appid).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE appid = ? AND deleted_at = 0 ORDER BY id LIMIT ? OFFSET ?",
		appid, pageRows, (page-1)*pageRows)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &POIPage{POIs: []POI{}, MaxApplyNum: s.policy.MaxPerApp, LeftApplyNum: max(0, s.policy.MaxPerApp-total)}
	for rows.Next() {
		p, err := scanPOI(rows)
		if err != nil {
			return nil, err
		}
		out.POIs = append(out.POIs, *p)
	}
	return out, rows.Err()
}

// MaxInReview bounds one listing of the POIs in review.
const MaxInReview = 1000

// InReview is the operator's queue under ManualAudit: the live POIs of
// every app in review (audit_status 3), oldest first, at most limit
// (1 to MaxInReview) of them, and how many there are in all.
func (s *Service) InReview(ctx context.Context, limit int) ([]POI, int, error) {
	if limit < 1 || limit > MaxInReview {
		return nil, 0, input.Errorf("limit", fmt.Sprintf("must be between 1 and %d", MaxInReview))
	}
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM mp_nearby_pois WHERE audit_status = ? AND deleted_at = 0", AuditReviewing).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE audit_status = ? AND deleted_at = 0 ORDER BY id LIMIT ?",
		AuditReviewing, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []POI{}
	for rows.Next() {
		p, err := scanPOI(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// A POI added between the two reads is listed but not counted.
	return out, max(total, len(out)), nil
}

// update changes one of app's live POIs in a transaction: check sees the
// row and returns the SET clause and its arguments.
func (s *Service) update(ctx context.Context, appid string, id int64, check func(p *POI) (string, []any, error)) (*POI, error) {
	var out *POI
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		p, err := scanPOI(tx.QueryRow(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE id = ? AND deleted_at = 0", id))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && appid != "" && p.AppID != appid) {
			return fmt.Errorf("%w: poi_id %d", ErrPOINotFound, id)
		}
		if err != nil {
			return err
		}
		set, args, err := check(p)
		if err != nil {
			return err
		}
		now := s.now().Unix()
		args = append(append(args, now), id)
		if _, err := tx.Exec(ctx, "UPDATE mp_nearby_pois SET "+set+", updated_at = ? WHERE id = ?", args...); err != nil {
			return err
		}
		out, err = scanPOI(tx.QueryRow(ctx, "SELECT "+poiColumns+" FROM mp_nearby_pois WHERE id = ?", id))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.apply(out)
	return out, nil
}

// Delete removes one of app's POIs.
func (s *Service) Delete(ctx context.Context, appid string, id int64) error {
	_, err := s.update(ctx, appid, id, func(p *POI) (string, []any, error) {
		return "deleted_at = ?", []any{s.now().Unix()}, nil
	})
	return err
}

// SetDisplay shows (1) or hides (0) one of app's approved POIs on the
// nearby list.
func (s *Service) SetDisplay(ctx context.Context, appid string, id int64, status int) (*POI, error) {
	if status != 0 && status != 1 {
		return nil, input.Errorf("status", "must be 0 (hide) or 1 (show)")
	}
	return s.update(ctx, appid, id, func(p *POI) (string, []any, error) {
		switch p.AuditStatus {
		case AuditReviewing:
			return "", nil, fmt.Errorf("%w: poi_id %d", ErrInReview, id)
		case AuditRejected:
			return "", nil, fmt.Errorf("%w: poi_id %d: %s", ErrAuditFailed, id, p.RefuseReason)
		}
		return "display_status = ?", []any{status}, nil
	})
}

// Decide is the operator's review of a POI in review (ManualAudit):
// approve shows it, reject records reason.
func (s *Service) Decide(ctx context.Context, id int64, approve bool, reason string) (*POI, error) {
	return s.update(ctx, "", id, func(p *POI) (string, []any, error) {
		if p.AuditStatus != AuditReviewing {
			return "", nil, fmt.Errorf("%w: poi_id %d has audit_status %d (%s)", ErrNotInReview, id, p.AuditStatus, AuditStatusName(p.AuditStatus))
		}
		if approve {
			return "audit_status = ?, display_status = 1, refuse_reason = ''", []any{AuditApproved}, nil
		}
		r, err := text("reason", reason, 200, true)
		if err != nil {
			return "", nil, err
		}
		return "audit_status = ?, display_status = 0, refuse_reason = ?", []any{AuditRejected, r}, nil
	})
}

// Query is a nearby-list request.
type Query struct {
	Latitude, Longitude float64
	Page, PageSize      int // Page from 1
}

// Nearby lists the displayed, approved POIs within Policy.Radius of the
// query point, nearest first. It reads memory only.
func (s *Service) Nearby(q Query) (*Page, error) {
	if err := ValidCoordinates(q.Latitude, q.Longitude); err != nil {
		return nil, err
	}
	if q.Page < 1 {
		return nil, input.Errorf("page", "must be at least 1")
	}
	if q.PageSize < 1 || q.PageSize > s.policy.MaxPageSize {
		return nil, input.Errorf("page_size", fmt.Sprintf("must be between 1 and %d", s.policy.MaxPageSize))
	}
	out := &Page{Items: []Nearby{}}
	if q.Page > s.policy.MaxResults { // also keeps the product below from overflowing
		return out, nil
	}
	skip := (q.Page - 1) * q.PageSize
	if skip >= s.policy.MaxResults {
		return out, nil
	}
	want := min(skip+q.PageSize, s.policy.MaxResults)
	hits := s.Index().Nearest(q.Latitude, q.Longitude, s.policy.Radius, want+1)
	out.HasMore = len(hits) > want
	for i := skip; i < len(hits) && i < want; i++ {
		h := hits[i]
		out.Items = append(out.Items, Nearby{PoiID: h.Place.ID, AppID: h.Place.AppID, StoreName: h.Place.StoreName, Address: h.Place.Address,
			Latitude: h.Place.Latitude, Longitude: h.Place.Longitude, Distance: int64(math.Round(h.Distance))})
	}
	return out, nil
}
