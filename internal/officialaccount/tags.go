package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"superapp/internal/input"
	"superapp/internal/store"
)

// WeChat's fixed sizes of tags (reference §3.3; the counts per account and
// per user are Policy.TagsMax and Policy.TagsPerUser).
const (
	// MaxTagNameBytes: "标签名长度超过30个字节" is 45158.
	MaxTagNameBytes = 30
	// MaxTaggingBatch is the most OpenIDs one batchtagging or batchuntagging
	// call takes.
	MaxTaggingBatch = 50
	// FirstTagID is the first id a created tag gets; 0, 1 and 2 are WeChat's
	// reserved system tags.
	FirstTagID = 100
	// MaxTagDeleteMembers: a tag with more followers cannot be deleted
	// (45057); untag them first.
	MaxTagDeleteMembers = 100000
)

// Errors of tags.
var (
	ErrTagNameInvalid    = errors.New("invalid tag name")
	ErrTagNameTaken      = errors.New("another tag has this name")
	ErrTagNameTooLong    = errors.New("tag name too long")
	ErrTooManyTags       = errors.New("the account has too many tags")
	ErrTagReserved       = errors.New("tags 0, 1 and 2 are reserved by the system")
	ErrTagNotFound       = errors.New("no such tag")
	ErrUserTooManyTags   = errors.New("a user has too many tags")
	ErrTagTooManyMembers = errors.New("the tag has too many followers to be deleted")
)

// Tag is one of an account's follower tags.
type Tag struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Count is the number of current followers with the tag.
	Count int64 `json:"count"`
}

func reservedTag(id int64) bool { return id >= 0 && id <= 2 }

func checkTagName(name string) error {
	if name == "" || !input.Storable(name) {
		return fmt.Errorf("%w: a tag name must be non-empty UTF-8 text", ErrTagNameInvalid)
	}
	if len(name) > MaxTagNameBytes {
		return fmt.Errorf("%w: %d bytes, at most %d bytes of UTF-8", ErrTagNameTooLong, len(name), MaxTagNameBytes)
	}
	return nil
}

// lockTags serializes the read-check-write sequences on one account's tags
// (the tag count, names, each user's tag count).
func lockTags(ctx context.Context, tx *store.Tx, appid string) error {
	return tx.Lock(ctx, "oa_tags:"+appid)
}

// CreateTag adds a tag; ids count up from FirstTagID and are never reused.
func (s *Service) CreateTag(ctx context.Context, appid, name string) (*Tag, error) {
	if err := checkTagName(name); err != nil {
		return nil, err
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	tag := &Tag{Name: name}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockTags(ctx, tx, appid); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_tags WHERE appid = ?", appid).Scan(&n); err != nil {
			return err
		}
		if n >= s.policy.TagsMax {
			return fmt.Errorf("%w: it has %d, at most %d allowed", ErrTooManyTags, n, s.policy.TagsMax)
		}
		if err := s.checkNameFree(ctx, tx, appid, name, -1); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO oa_tag_sequences(appid, last_id) VALUES (?, ?)
			ON CONFLICT (appid) DO UPDATE SET last_id = oa_tag_sequences.last_id + 1 RETURNING last_id`, appid, FirstTagID).Scan(&tag.ID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO oa_tags(appid, id, name, created_at) VALUES (?, ?, ?, ?)", appid, tag.ID, name, s.now().Unix())
		return err
	})
	if err != nil {
		return nil, err
	}
	return tag, nil
}

// checkNameFree fails when a tag other than except has name.
func (s *Service) checkNameFree(ctx context.Context, tx *store.Tx, appid, name string, except int64) error {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM oa_tags WHERE appid = ? AND name = ?", appid, name).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case id != except:
		return fmt.Errorf("%w: tag %d is named %q", ErrTagNameTaken, id, name)
	}
	return nil
}

// Tags lists the account's tags in id order with their follower counts.
func (s *Service) Tags(ctx context.Context, appid string) ([]*Tag, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT t.id, t.name, (SELECT COUNT(*) FROM oa_follower_tags ft
			JOIN oa_followers f ON f.appid = ft.appid AND f.user_id = ft.user_id
			WHERE ft.appid = t.appid AND ft.tag_id = t.id AND f.subscribed = 1)
		FROM oa_tags t WHERE t.appid = ? ORDER BY t.id`, appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Tag{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}

// existingTag fails with ErrTagReserved or ErrTagNotFound unless the account
// created tag id.
func existingTag(ctx context.Context, q rowQuerier, appid string, id int64, reservedErr error) error {
	if reservedTag(id) {
		return fmt.Errorf("%w: tag %d", reservedErr, id)
	}
	var one int
	err := q.QueryRow(ctx, "SELECT 1 FROM oa_tags WHERE appid = ? AND id = ?", appid, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: tag %d", ErrTagNotFound, id)
	}
	return err
}

// RenameTag changes a tag's name.
func (s *Service) RenameTag(ctx context.Context, appid string, id int64, name string) error {
	if reservedTag(id) {
		return fmt.Errorf("%w: tag %d", ErrTagReserved, id)
	}
	if err := checkTagName(name); err != nil {
		return err
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockTags(ctx, tx, appid); err != nil {
			return err
		}
		if err := existingTag(ctx, tx, appid, id, ErrTagReserved); err != nil {
			return err
		}
		if err := s.checkNameFree(ctx, tx, appid, name, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE oa_tags SET name = ? WHERE appid = ? AND id = ?", name, appid, id)
		return err
	})
}

// DeleteTag deletes a tag and takes it off its members.
func (s *Service) DeleteTag(ctx context.Context, appid string, id int64) error {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockTags(ctx, tx, appid); err != nil {
			return err
		}
		if err := existingTag(ctx, tx, appid, id, ErrTagReserved); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_follower_tags WHERE appid = ? AND tag_id = ?", appid, id).Scan(&n); err != nil {
			return err
		}
		if n > MaxTagDeleteMembers {
			return fmt.Errorf("%w: %d followers have tag %d, untag them down to %d first", ErrTagTooManyMembers, n, id, MaxTagDeleteMembers)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oa_follower_tags WHERE appid = ? AND tag_id = ?", appid, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM oa_tags WHERE appid = ? AND id = ?", appid, id)
		return err
	})
}

// TagMembers lists the current followers with tag id after OpenID after.
func (s *Service) TagMembers(ctx context.Context, appid string, id int64, after string) (*OpenIDPage, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	if err := existingTag(ctx, s.db, appid, id, ErrTagNotFound); err != nil {
		return nil, err
	}
	return s.openIDPage(ctx, appid, "oa_follower_tags ft JOIN oa_followers f ON f.appid = ft.appid AND f.user_id = ft.user_id",
		"ft.appid = ? AND ft.tag_id = ? AND f.subscribed = 1", []any{appid, id}, after)
}

// TagFollowers gives tag id to up to MaxTaggingBatch of the account's (past
// or present) followers; each may have at most Policy.TagsPerUser tags.
func (s *Service) TagFollowers(ctx context.Context, appid string, id int64, openids []string) error {
	return s.tagging(ctx, appid, id, openids, true)
}

// UntagFollowers takes tag id off up to MaxTaggingBatch followers.
func (s *Service) UntagFollowers(ctx context.Context, appid string, id int64, openids []string) error {
	return s.tagging(ctx, appid, id, openids, false)
}

func (s *Service) tagging(ctx context.Context, appid string, id int64, openids []string, add bool) error {
	if err := checkBatch(openids, MaxTaggingBatch); err != nil {
		return err
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockTags(ctx, tx, appid); err != nil {
			return err
		}
		// Reserved tags cannot be given or taken through the API (45159).
		if err := existingTag(ctx, tx, appid, id, ErrTagNotFound); err != nil {
			return err
		}
		batch, err := s.followerUsers(ctx, tx, appid, openids)
		if err != nil {
			return err
		}
		if !add {
			_, err := tx.Exec(ctx, "DELETE FROM oa_follower_tags WHERE appid = ? AND tag_id = ? AND user_id IN ("+sqlList(len(batch))+")",
				append([]any{appid, id}, userIDArgs(batch)...)...)
			return err
		}
		for _, b := range batch {
			u := b.userID
			var has, n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN tag_id = ? THEN 1 ELSE 0 END), 0) FROM oa_follower_tags WHERE appid = ? AND user_id = ?",
				id, appid, u).Scan(&n, &has); err != nil {
				return err
			}
			if has > 0 {
				continue
			}
			if n >= s.policy.TagsPerUser {
				return fmt.Errorf("%w: %s already has %d tags, at most %d allowed", ErrUserTooManyTags, quoteOpenID(b.openID), n, s.policy.TagsPerUser)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO oa_follower_tags(appid, tag_id, user_id) VALUES (?, ?, ?)", appid, id, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// TagIDsOf lists the tags one of the account's (past or present) followers
// has, in id order.
func (s *Service) TagIDsOf(ctx context.Context, appid, openid string) ([]int64, error) {
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	userID, err := s.followerRow(ctx, s.db, appid, openid)
	if err != nil {
		return nil, err
	}
	return s.userTagIDs(ctx, appid, userID)
}

func (s *Service) userTagIDs(ctx context.Context, appid, userID string) ([]int64, error) {
	rows, err := s.db.Query(ctx, "SELECT tag_id FROM oa_follower_tags WHERE appid = ? AND user_id = ? ORDER BY tag_id", appid, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
