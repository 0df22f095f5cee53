package officialaccount

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/input"
	"superapp/internal/live"
	"superapp/internal/store"
)

// Mass sends (reference §3.7, platform-rules §3.5). The API call stores the
// message and a job in one transaction and answers at once; runMass then
// fans the message out into the audience's conversations in chunks of
// Policy.MassChunk followers in user_id order. Each chunk is one
// transaction holding its copies, the job's cursor and its counts (and, at
// the end, the job's status and the MASSSENDJOBFINISH push), so after a
// crash the job resumes after the last committed chunk: every follower
// gets exactly one copy and the counts are exact; oa_inbox's key keeps
// copies unique even so.

// Mass job statuses, as message/mass/get reports them.
const (
	MassSending = "SENDING"
	MassSuccess = "SEND_SUCCESS"
	MassFailed  = "SEND_FAIL"
	MassDeleted = "DELETE"
)

// Errors of mass sends.
var (
	ErrMassQuota           = errors.New("has no masssend quota")
	ErrClientMsgIDExists   = errors.New("clientmsgid exist")
	ErrClientMsgIDTooLong  = errors.New("clientmsgid size out of limit")
	ErrMassOpenIDListSize  = errors.New("invalid openid list size, at least two openid")
	ErrMassNotFound        = errors.New("no such mass message")
	ErrMassNotDeletable    = errors.New("the mass message cannot be deleted")
	ErrMassAudienceMissing = errors.New("the mass message names no audience")
)

// ClientMsgIDExistsError is a repeated clientmsgid: MsgID is the job that
// used it first (WeChat answers 45065 with that msg_id).
type ClientMsgIDExistsError struct{ MsgID int64 }

func (e *ClientMsgIDExistsError) Error() string {
	return fmt.Sprintf("%s: msg_id %d", ErrClientMsgIDExists, e.MsgID)
}

func (e *ClientMsgIDExistsError) Is(target error) bool { return target == ErrClientMsgIDExists }

// WeChat's bounds of mass sends.
const (
	// MinMassOpenIDs and MaxMassOpenIDs bound message/mass/send's touser.
	MinMassOpenIDs = 2
	MaxMassOpenIDs = 10000
	// MaxClientMsgIDBytes: "开发者侧群发msgid，长度限制64字节".
	MaxClientMsgIDBytes = 64
	// massPoll is how often runMass looks for jobs nobody woke it for
	// (another server's, or left by a crash).
	massPoll = 2 * time.Second
)

// Audiences of a mass job.
const (
	AudienceAll     = "all"
	AudienceTag     = "tag"
	AudienceOpenIDs = "openids"
)

// massKinds are the msgtypes of mass sends.
var massKinds = map[string]bool{"text": true, "image": true, "voice": true, "mpvideo": true, "mpnews": true, "wxcard": true}

// MassSend is a mass message to submit: to every follower (ToAll), to a
// tag's followers, or (service accounts) to a list of OpenIDs.
type MassSend struct {
	ToAll       bool
	TagID       int64
	OpenIDs     []string
	ClientMsgID string
	Message     Outgoing
}

// MassJob is a submitted mass message and its progress. Counts are
// MASSSENDJOBFINISH's: TotalCount followers in the audience, FilterCount
// of them left after the monthly limit (ready to send), SentCount reached,
// ErrorCount not.
type MassJob struct {
	MsgID       int64  `json:"msg_id"`
	MessageID   int64  `json:"message_id"`
	AppID       string `json:"appid"`
	Audience    string `json:"audience"`
	TagID       int64  `json:"tag_id,omitempty"`
	Status      string `json:"status"`
	Cursor      string `json:"-"`
	TotalCount  int64  `json:"total_count"`
	FilterCount int64  `json:"filter_count"`
	SentCount   int64  `json:"sent_count"`
	ErrorCount  int64  `json:"error_count"`
	CreatedAt   int64  `json:"created_at"`
	FinishedAt  int64  `json:"finished_at,omitempty"`

	openids []string
}

const massColumns = "msg_id, message_id, appid, audience, tag_id, openids, status, cursor_user, total_count, filter_count, sent_count, error_count, created_at, finished_at"

func scanMassJob(row interface{ Scan(...any) error }) (*MassJob, error) {
	var j MassJob
	var openids string
	err := row.Scan(&j.MsgID, &j.MessageID, &j.AppID, &j.Audience, &j.TagID, &openids, &j.Status, &j.Cursor,
		&j.TotalCount, &j.FilterCount, &j.SentCount, &j.ErrorCount, &j.CreatedAt, &j.FinishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrMassNotFound
	}
	if err != nil {
		return nil, err
	}
	if openids != "" {
		j.openids = strings.Split(openids, "\n")
	}
	return &j, nil
}

// SubmitMass stores a mass message and its job and wakes the fan-out. A
// subscription account may submit Policy.MassSubscriptionPerDay per day; a
// clientmsgid used before answers ClientMsgIDExistsError.
func (s *Service) SubmitMass(ctx context.Context, appid string, ms MassSend) (*MassJob, error) {
	if !massKinds[ms.Message.Kind] {
		return nil, fmt.Errorf("%w: %q is not a mass message type", ErrMessageType, ms.Message.Kind)
	}
	if len(ms.ClientMsgID) > MaxClientMsgIDBytes || !input.Storable(ms.ClientMsgID) {
		return nil, fmt.Errorf("%w: clientmsgid must be UTF-8 text of at most %d bytes", ErrClientMsgIDTooLong, MaxClientMsgIDBytes)
	}
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	job := &MassJob{AppID: appid, Status: MassSending}
	switch {
	case ms.OpenIDs != nil:
		job.Audience = AudienceOpenIDs
		if job.openids, err = s.massOpenIDs(ctx, appid, ms.OpenIDs); err != nil {
			return nil, err
		}
	case ms.ToAll:
		job.Audience = AudienceAll
	default:
		job.Audience, job.TagID = AudienceTag, ms.TagID
		if err := existingTag(ctx, s.db, appid, ms.TagID, ErrTagNotFound); err != nil {
			return nil, err
		}
	}
	m, err := s.compose(ctx, s.db, appid, ms.Message)
	if err != nil {
		return nil, err
	}
	m.Source = SourceMass
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "oa_mass:"+appid); err != nil {
			return err
		}
		if ms.ClientMsgID != "" {
			var first int64
			err := tx.QueryRow(ctx, "SELECT msg_id FROM oa_mass_jobs WHERE appid = ? AND clientmsgid = ? ORDER BY msg_id LIMIT 1", appid, ms.ClientMsgID).Scan(&first)
			if err == nil {
				return &ClientMsgIDExistsError{MsgID: first}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		now := s.now()
		if app.Kind == account.SubscriptionAccount {
			day := now.In(cst)
			start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cst).Unix()
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_mass_jobs WHERE appid = ? AND created_at >= ?", appid, start).Scan(&n); err != nil {
				return err
			}
			if n >= s.policy.MassSubscriptionPerDay {
				return fmt.Errorf("%w: a subscription account sends %d per day", ErrMassQuota, s.policy.MassSubscriptionPerDay)
			}
		}
		m.CreatedAt = now.Unix()
		if err := s.insertMessage(ctx, tx, m); err != nil {
			return err
		}
		job.MessageID, job.CreatedAt = m.ID, m.CreatedAt
		return tx.QueryRow(ctx, `INSERT INTO oa_mass_jobs(appid, message_id, audience, tag_id, openids, clientmsgid, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING msg_id`,
			appid, m.ID, job.Audience, job.TagID, strings.Join(job.openids, "\n"), ms.ClientMsgID, MassSending, job.CreatedAt).Scan(&job.MsgID)
	})
	if err != nil {
		return nil, err
	}
	s.wakeMass()
	return job, nil
}

// massOpenIDs checks message/mass/send's list: 2 to 10,000 OpenIDs, each
// one of the account's (a follower now or before); duplicates count once.
func (s *Service) massOpenIDs(ctx context.Context, appid string, openids []string) ([]string, error) {
	if len(openids) < MinMassOpenIDs || len(openids) > MaxMassOpenIDs {
		return nil, fmt.Errorf("%w: %d openids, %d to %d allowed", ErrMassOpenIDListSize, len(openids), MinMassOpenIDs, MaxMassOpenIDs)
	}
	seen := make(map[string]bool, len(openids))
	list := make([]string, 0, len(openids))
	for _, o := range openids {
		if o == "" || !input.Storable(o) || strings.ContainsRune(o, '\n') {
			return nil, fmt.Errorf("%w: %q", ErrOpenIDNotFound, o)
		}
		if !seen[o] {
			seen[o] = true
			list = append(list, o)
		}
	}
	const batch = 500
	for i := 0; i < len(list); i += batch {
		part := list[i:min(i+batch, len(list))]
		rows, err := s.db.Query(ctx, "SELECT openid FROM oa_followers WHERE appid = ? AND openid IN ("+sqlList(len(part))+")",
			append([]any{appid}, stringArgs(part)...)...)
		if err != nil {
			return nil, err
		}
		known := map[string]bool{}
		for rows.Next() {
			var o string
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return nil, err
			}
			known[o] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, o := range part {
			if !known[o] {
				return nil, fmt.Errorf("%w: %s", ErrOpenIDNotFound, o)
			}
		}
	}
	return list, nil
}

// MassJob returns one of the account's mass jobs.
func (s *Service) MassJob(ctx context.Context, appid string, msgID int64) (*MassJob, error) {
	j, err := scanMassJob(s.db.QueryRow(ctx, "SELECT "+massColumns+" FROM oa_mass_jobs WHERE msg_id = ? AND appid = ?", msgID, appid))
	if errors.Is(err, ErrMassNotFound) {
		return nil, fmt.Errorf("%w: msg_id %d", ErrMassNotFound, msgID)
	}
	return j, err
}

// DeleteMass deletes a sent mass message as WeChat does: its status becomes
// DELETE and an article or video stops opening, while the card stays in
// the conversations that received it.
func (s *Service) DeleteMass(ctx context.Context, appid string, msgID int64) error {
	var changed bool
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		j, err := scanMassJob(tx.QueryRow(ctx, "SELECT "+massColumns+" FROM oa_mass_jobs WHERE msg_id = ? AND appid = ?"+s.forUpdate(), msgID, appid))
		if errors.Is(err, ErrMassNotFound) {
			return fmt.Errorf("%w: msg_id %d", ErrMassNotFound, msgID)
		}
		if err != nil {
			return err
		}
		switch j.Status {
		case MassDeleted:
			return nil
		case MassSending:
			return fmt.Errorf("%w: it is still being sent", ErrMassNotDeletable)
		}
		if _, err := tx.Exec(ctx, "UPDATE oa_mass_jobs SET status = ? WHERE msg_id = ?", MassDeleted, msgID); err != nil {
			return err
		}
		m, err := scanMessage(tx.QueryRow(ctx, "SELECT "+messageColumns+" FROM oa_messages m WHERE m.id = ?", j.MessageID))
		if err != nil {
			return err
		}
		if m.Kind != "mpnews" && m.Kind != "video" {
			return nil
		}
		m.Body.URL, m.Body.MediaID = "", ""
		m.Body.Description = "该内容已被发布者删除 This content has been deleted by its publisher."
		body, err := json.Marshal(m.Body)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE oa_messages SET body = ? WHERE id = ?", string(body), m.ID)
		changed = true
		return err
	})
	if err == nil && changed {
		s.hub.Broadcast(live.Event{Type: "message", AppID: appid})
	}
	return err
}

// PreviewMass sends a mass message to one follower only, at once and
// outside every quota, and returns the message's id.
func (s *Service) PreviewMass(ctx context.Context, appid, openid string, o Outgoing) (int64, error) {
	if !massKinds[o.Kind] {
		return 0, fmt.Errorf("%w: %q is not a mass message type", ErrMessageType, o.Kind)
	}
	_, f, err := s.recipient(ctx, appid, openid)
	if err != nil {
		return 0, err
	}
	m, err := s.compose(ctx, s.db, appid, o)
	if err != nil {
		return 0, err
	}
	m.Source = SourceMass
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		rel, err := s.followerTx(ctx, tx, appid, f.UserID)
		if err != nil {
			return err
		}
		if rel == nil || !rel.Subscribed {
			return ErrNotFollowing
		}
		return s.deliverTx(ctx, tx, f.UserID, m)
	})
	if err != nil {
		return 0, err
	}
	s.hub.Publish(f.UserID, live.Event{Type: "message", AppID: appid})
	return m.ID, nil
}

// skipExistingCopies makes a redone chunk skip the copies it already made.
// A chunk cannot be redone after it committed (its cursor commits with it,
// read under the job's row lock), so this only guards against what cannot
// happen; on SQLite it costs nothing, on PostgreSQL it doubles the cost of
// a chunk (speculative insertion: 3.3 s instead of 2.1 s for a million
// copies), so there the key alone keeps copies unique and a conflict
// fails the chunk.
func (s *Service) skipExistingCopies() string {
	if s.db.Dialect == store.Postgres {
		return ""
	}
	return " ON CONFLICT DO NOTHING"
}

func (s *Service) forUpdate() string {
	if s.db.Dialect == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// wakeMass makes runMass look for work now.
func (s *Service) wakeMass() {
	select {
	case s.massWake <- struct{}{}:
	default:
	}
}

// runMass fans out mass sends until ctx ends: the oldest job first, chunk
// by chunk, including jobs a previous process left unfinished.
func (s *Service) runMass(ctx context.Context) {
	poll := time.NewTicker(massPoll)
	defer poll.Stop()
	for {
		for ctx.Err() == nil {
			more, err := s.massStep(ctx)
			if err != nil {
				if ctx.Err() == nil {
					slog.Warn("mass send", "err", err)
				}
				break
			}
			if !more {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.massWake:
		case <-poll.C:
		}
	}
}

// massStep sends one chunk of the oldest unfinished job; false when there
// is none.
func (s *Service) massStep(ctx context.Context) (bool, error) {
	var msgID int64
	err := s.db.QueryRow(ctx, "SELECT msg_id FROM oa_mass_jobs WHERE status = ? ORDER BY msg_id LIMIT 1", MassSending).Scan(&msgID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.massChunk(ctx, msgID)
}

// audienceSQL is a job's audience as SQL over oa_followers f: the FROM
// clause, the conditions and their arguments, and the key column its
// chunks are cut along.
type audienceSQL struct {
	from, where string
	args        []any
	// boundary finds the chunk's last user: the followers' key in user_id
	// order, regardless of subscription (an index-only scan).
	boundary     string
	boundaryArgs []any
	key          string
}

func (j *MassJob) audience() audienceSQL {
	switch j.Audience {
	case AudienceTag:
		return audienceSQL{
			from:         "oa_follower_tags t JOIN oa_followers f ON f.appid = t.appid AND f.user_id = t.user_id",
			where:        "t.appid = ? AND t.tag_id = ?",
			args:         []any{j.AppID, j.TagID},
			boundary:     "SELECT user_id FROM oa_follower_tags WHERE appid = ? AND tag_id = ?",
			boundaryArgs: []any{j.AppID, j.TagID},
			key:          "t.user_id",
		}
	case AudienceOpenIDs:
		in := "(" + sqlList(len(j.openids)) + ")"
		args := append([]any{j.AppID}, stringArgs(j.openids)...)
		return audienceSQL{
			from: "oa_followers f", where: "f.appid = ? AND f.openid IN " + in, args: args,
			boundary: "SELECT user_id FROM oa_followers WHERE appid = ? AND openid IN " + in, boundaryArgs: args,
			key: "f.user_id",
		}
	default:
		return audienceSQL{
			from: "oa_followers f", where: "f.appid = ?", args: []any{j.AppID},
			boundary: "SELECT user_id FROM oa_followers WHERE appid = ?", boundaryArgs: []any{j.AppID},
			key: "f.user_id",
		}
	}
}

// monthlyFilter is the service account's per-user limit as SQL: a follower
// who already received Policy.MassServicePerUserMonth of the account's
// mass messages this month (Beijing time) is filtered. The count is read
// from the copies themselves, so it is exact by construction and needs no
// per-follower counter to update. Fewer mass messages than the limit this
// month cannot have filled anyone's quota, so then there is no filter.
func (s *Service) monthlyFilter(ctx context.Context, tx *store.Tx, app *account.App, j *MassJob) (string, []any, error) {
	limit := s.policy.MassServicePerUserMonth
	if app.Kind != account.ServiceAccount || limit <= 0 {
		return "", nil, nil
	}
	t := time.Unix(j.CreatedAt, 0).In(cst)
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, cst)
	rows, err := tx.Query(ctx, `SELECT message_id FROM oa_mass_jobs WHERE appid = ? AND created_at >= ? AND created_at < ? AND msg_id <> ?`,
		j.AppID, start.Unix(), start.AddDate(0, 1, 0).Unix(), j.MsgID)
	if err != nil {
		return "", nil, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if len(ids) < limit {
		return "", nil, nil
	}
	return " AND (SELECT COUNT(*) FROM oa_inbox i WHERE i.user_id = f.user_id AND i.appid = f.appid AND i.message_id IN (" + sqlList(len(ids)) + ")) < ?",
		append(ids, limit), nil
}

// massChunk delivers the next chunk of job msgID in one transaction.
func (s *Service) massChunk(ctx context.Context, msgID int64) error {
	var app *account.App
	var pushID int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// The row lock makes servers sharing a PostgreSQL take turns; the
		// cursor read under it is the one this chunk continues from.
		j, err := scanMassJob(tx.QueryRow(ctx, "SELECT "+massColumns+" FROM oa_mass_jobs WHERE msg_id = ?"+s.forUpdate(), msgID))
		if err != nil || j.Status != MassSending {
			return err
		}
		if app, err = s.accounts.App(ctx, j.AppID); err != nil {
			return err
		}
		aud := j.audience()
		var bound string
		err = tx.QueryRow(ctx, aud.boundary+" AND user_id > ? ORDER BY user_id LIMIT 1 OFFSET ?",
			append(aud.boundaryArgs, j.Cursor, max(s.policy.MassChunk, 1)-1)...).Scan(&bound)
		last := errors.Is(err, sql.ErrNoRows)
		if err != nil && !last {
			return err
		}
		rng := " AND " + aud.key + " > ?"
		rangeArgs := []any{j.Cursor}
		if !last {
			rng += " AND " + aud.key + " <= ?"
			rangeArgs = append(rangeArgs, bound)
		}
		reachable := aud.where + rng + " AND f.subscribed = 1 AND f.blacklisted = 0"
		filter, filterArgs, err := s.monthlyFilter(ctx, tx, app, j)
		if err != nil {
			return err
		}
		args := append(append(append([]any{j.MessageID}, aud.args...), rangeArgs...), filterArgs...)
		res, err := tx.Exec(ctx, "INSERT INTO oa_inbox(user_id, appid, message_id) SELECT f.user_id, f.appid, ? FROM "+aud.from+
			" WHERE "+reachable+filter+" ORDER BY "+aud.key+s.skipExistingCopies(), args...)
		if err != nil {
			return err
		}
		sent, err := res.RowsAffected()
		if err != nil {
			return err
		}
		// Every reachable follower left after the filter gets this chunk's
		// copy (the message is new, so none had one), so without a filter
		// the audience is exactly the copies made.
		total := sent
		if filter != "" {
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+aud.from+" WHERE "+reachable,
				append(append([]any{}, aud.args...), rangeArgs...)...).Scan(&total); err != nil {
				return err
			}
		}
		j.TotalCount += total
		j.FilterCount += sent
		j.SentCount += sent
		if !last {
			_, err = tx.Exec(ctx, "UPDATE oa_mass_jobs SET cursor_user = ?, total_count = ?, filter_count = ?, sent_count = ? WHERE msg_id = ?",
				bound, j.TotalCount, j.FilterCount, j.SentCount, j.MsgID)
			return err
		}
		return s.finishMassTx(ctx, tx, app, j, &pushID)
	})
	if err != nil {
		return err
	}
	if app != nil {
		s.hub.Broadcast(live.Event{Type: "message", AppID: app.AppID})
	}
	if pushID != 0 {
		s.dispatcher.Wake()
	}
	return nil
}

// finishMassTx marks the job sent and queues MASSSENDJOBFINISH with its
// counts. The push comes from the account itself (WeChat's comes from the
// operator's OpenID, which has no counterpart here); its CreateTime
// differs from the account's previous report, since developers
// deduplicate events by FromUserName+CreateTime.
func (s *Service) finishMassTx(ctx context.Context, tx *store.Tx, app *account.App, j *MassJob, pushID *int64) error {
	var lastReport int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(finished_at), 0) FROM oa_mass_jobs WHERE appid = ?", j.AppID).Scan(&lastReport); err != nil {
		return err
	}
	finished := max(s.now().Unix(), lastReport+1)
	if _, err := tx.Exec(ctx, `UPDATE oa_mass_jobs SET status = ?, cursor_user = '', total_count = ?, filter_count = ?, sent_count = ?, error_count = ?, finished_at = ?
		WHERE msg_id = ?`, MassSuccess, j.TotalCount, j.FilterCount, j.SentCount, j.ErrorCount, finished, j.MsgID); err != nil {
		return err
	}
	if server, err := callback.Configured(ctx, tx, j.AppID); err != nil || !server {
		return err
	}
	in := &Inbound{
		ToUserName: app.OriginalID, FromUserName: app.OriginalID, CreateTime: finished, MsgType: "event", Event: "MASSSENDJOBFINISH",
		JobMsgID: j.MsgID, Status: "send success",
		TotalCount: j.TotalCount, FilterCount: j.FilterCount, SentCount: j.SentCount, ErrorCount: j.ErrorCount,
	}
	var err error
	*pushID, err = callback.Enqueue(ctx, tx, callback.Push{AppID: j.AppID, DedupKey: in.DedupKey(), XML: in.XML()})
	return err
}
