package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"superapp/internal/identity"
	"superapp/internal/input"
	"superapp/internal/store"
)

// WeChat's fixed sizes of the user-management APIs (reference §3.3).
const (
	// FollowerPageSize is the most OpenIDs user/get, user/tag/get and
	// getblacklist return at once.
	FollowerPageSize = 10000
	// MaxBatchGet is the most users user/info/batchget describes at once.
	MaxBatchGet = 100
	// MaxRemarkBytes bounds a remark: "长度必须小于30字节" (updateremark), so
	// at most 29 bytes of UTF-8.
	MaxRemarkBytes = 29
	// MaxBlacklistBatch is the most OpenIDs one batchblacklist or
	// batchunblacklist call takes.
	MaxBlacklistBatch = 20
)

// Errors of the user-management APIs.
var (
	ErrOpenIDListSize = errors.New("the openid list is empty or too long")
	ErrRemarkInvalid  = errors.New("invalid remark")
)

// OpenIDPage is one page of an account's OpenIDs in OpenID order.
type OpenIDPage struct {
	// Total counts the whole list (user/get and getblacklist report it).
	Total   int64
	OpenIDs []string
	// Next is the last OpenID of the page (the cursor for the next one), ""
	// when the page is empty.
	Next string
}

// Followers lists the account's current followers after OpenID after ("" to
// start), blacklisted ones included: they still follow.
func (s *Service) Followers(ctx context.Context, appid, after string) (*OpenIDPage, error) {
	return s.openIDPage(ctx, appid, "oa_followers f", "f.appid = ? AND f.subscribed = 1", []any{appid}, after)
}

// Blacklist lists the account's blacklisted users after OpenID after.
func (s *Service) Blacklist(ctx context.Context, appid, after string) (*OpenIDPage, error) {
	return s.openIDPage(ctx, appid, "oa_followers f", "f.appid = ? AND f.blacklisted = 1", []any{appid}, after)
}

// openIDPage reads one page of the OpenIDs of the followers rows that from
// and cond select (f is oa_followers). The cursor must be an OpenID of the
// account's (past or present) followers.
func (s *Service) openIDPage(ctx context.Context, appid, from, cond string, args []any, after string) (*OpenIDPage, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	if after != "" {
		if _, err := s.followerRow(ctx, s.db, appid, after); err != nil {
			return nil, err
		}
	}
	page := &OpenIDPage{OpenIDs: []string{}}
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM "+from+" WHERE "+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, fmt.Sprintf("SELECT f.openid FROM %s WHERE %s AND f.openid > ? ORDER BY f.openid LIMIT %d", from, cond, FollowerPageSize),
		append(args, after)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var openid string
		if err := rows.Scan(&openid); err != nil {
			return nil, err
		}
		page.OpenIDs = append(page.OpenIDs, openid)
	}
	if n := len(page.OpenIDs); n > 0 {
		page.Next = page.OpenIDs[n-1]
	}
	return page, rows.Err()
}

type rowQuerier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// followerRow returns the user behind one of the account's OpenIDs, for
// anyone who follows or once followed it; otherwise ErrOpenIDNotFound naming
// the OpenID.
func (s *Service) followerRow(ctx context.Context, q rowQuerier, appid, openid string) (string, error) {
	var userID string
	err := sql.ErrNoRows
	if input.Storable(openid) {
		err = q.QueryRow(ctx, "SELECT user_id FROM oa_followers WHERE appid = ? AND openid = ?", appid, openid).Scan(&userID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %s", ErrOpenIDNotFound, quoteOpenID(openid))
	}
	return userID, err
}

// quoteOpenID shows an OpenID from a request in a message, cut short.
func quoteOpenID(openid string) string {
	if r := []rune(openid); len(r) > 40 {
		openid = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", openid)
}

// batchFollower is one OpenID of a batch and the user behind it.
type batchFollower struct{ openID, userID string }

// followerUsers resolves a batch of OpenIDs (duplicates removed, order kept)
// in tx; one unknown OpenID fails the batch.
func (s *Service) followerUsers(ctx context.Context, tx *store.Tx, appid string, openids []string) ([]batchFollower, error) {
	seen := map[string]bool{}
	var out []batchFollower
	for _, o := range openids {
		if seen[o] {
			continue
		}
		seen[o] = true
		u, err := s.followerRow(ctx, tx, appid, o)
		if err != nil {
			return nil, err
		}
		out = append(out, batchFollower{o, u})
	}
	return out, nil
}

// userIDArgs are the batch's user ids as query arguments.
func userIDArgs(batch []batchFollower) []any {
	out := make([]any, len(batch))
	for i, b := range batch {
		out[i] = b.userID
	}
	return out
}

// checkBatch applies a batch API's 1..max OpenIDs.
func checkBatch(openids []string, max int) error {
	if len(openids) == 0 || len(openids) > max {
		return fmt.Errorf("%w: %d openids, between 1 and %d allowed", ErrOpenIDListSize, len(openids), max)
	}
	return nil
}

// FollowerInfo is what user/info tells an account about one of its OpenIDs.
type FollowerInfo struct {
	OpenID     string
	Subscribed bool
	// UnionID is set when the account is bound to an open-platform account.
	UnionID        string
	Language       string
	SubscribeTime  int64
	Remark         string
	TagIDs         []int64
	SubscribeScene string
	QRScene        int64
	QRSceneStr     string
}

// FollowerInfos describes up to MaxBatchGet of the account's OpenIDs. A user
// who unfollowed, or who has an OpenID with the account without ever
// following (web authorization), is described as not subscribed; an OpenID
// that is not the account's fails the call.
func (s *Service) FollowerInfos(ctx context.Context, appid string, openids []string) ([]*FollowerInfo, error) {
	if err := checkBatch(openids, MaxBatchGet); err != nil {
		return nil, err
	}
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	out := make([]*FollowerInfo, 0, len(openids))
	for _, openid := range openids {
		info := &FollowerInfo{OpenID: openid, TagIDs: []int64{}}
		if !input.Storable(openid) {
			return nil, fmt.Errorf("%w: %s", ErrOpenIDNotFound, quoteOpenID(openid))
		}
		var userID string
		f, err := s.FollowerByOpenID(ctx, appid, openid)
		switch {
		case errors.Is(err, ErrOpenIDNotFound):
			u, err := s.ident.ByOpenID(ctx, appid, openid)
			if errors.Is(err, identity.ErrOpenIDNotFound) {
				return nil, fmt.Errorf("%w: %s", ErrOpenIDNotFound, quoteOpenID(openid))
			}
			if err != nil {
				return nil, err
			}
			userID = u.ID
		case err != nil:
			return nil, err
		default:
			userID = f.UserID
			if f.Subscribed {
				u, err := s.ident.User(ctx, userID)
				if err != nil {
					return nil, err
				}
				info.Subscribed, info.Language, info.SubscribeTime = true, u.Language, f.SubscribeTime
				info.Remark, info.SubscribeScene, info.QRScene, info.QRSceneStr = f.Remark, f.SubscribeScene, f.QRScene, f.QRSceneStr
				if info.TagIDs, err = s.userTagIDs(ctx, appid, userID); err != nil {
					return nil, err
				}
			}
		}
		if app.OpenPlatformID != "" {
			info.UnionID = s.ident.UnionID(app.OpenPlatformID, userID)
		}
		out = append(out, info)
	}
	return out, nil
}

// SetRemark sets the account's remark on one of its (past or present)
// followers; "" clears it.
func (s *Service) SetRemark(ctx context.Context, appid, openid, remark string) error {
	if !input.Storable(remark) {
		return fmt.Errorf("%w: the remark is not valid UTF-8 text", ErrRemarkInvalid)
	}
	if len(remark) > MaxRemarkBytes {
		return fmt.Errorf("%w: %d bytes, a remark must be shorter than 30 bytes of UTF-8", ErrRemarkInvalid, len(remark))
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		userID, err := s.followerRow(ctx, tx, appid, openid)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE oa_followers SET remark = ? WHERE appid = ? AND user_id = ?", remark, appid, userID)
		return err
	})
}

// SetBlacklisted puts up to MaxBlacklistBatch of the account's (past or
// present) followers on its blacklist, or takes them off. Blacklisted
// followers still follow, but cannot message the account and receive no
// mass or customer-service messages.
func (s *Service) SetBlacklisted(ctx context.Context, appid string, openids []string, blacklisted bool) error {
	if err := checkBatch(openids, MaxBlacklistBatch); err != nil {
		return err
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	flag := 0
	if blacklisted {
		flag = 1
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		batch, err := s.followerUsers(ctx, tx, appid, openids)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE oa_followers SET blacklisted = ? WHERE appid = ? AND user_id IN ("+sqlList(len(batch))+")",
			append([]any{flag, appid}, userIDArgs(batch)...)...)
		return err
	})
}

func sqlList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
