package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/live"
	"superapp/internal/store"
)

// Follow scenes as user/info reports them (subscribe_scene).
const (
	SceneSearch      = "ADD_SCENE_SEARCH"
	SceneQRCode      = "ADD_SCENE_QR_CODE"
	SceneProfileCard = "ADD_SCENE_PROFILE_CARD"
	SceneOthers      = "ADD_SCENE_OTHERS"
)

// QRScene is the parametric QR code a follow or scan came through.
type QRScene struct {
	Ticket   string
	SceneID  int64
	SceneStr string
	// Permanent codes report their scene the same way; kept for user/info.
}

// key is the scene as EventKey carries it (without the qrscene_ prefix).
func (q *QRScene) key() string {
	if q.SceneStr != "" {
		return q.SceneStr
	}
	return strconv.FormatInt(q.SceneID, 10)
}

// Follower is the follow relation as the account sees it.
type Follower struct {
	AppID          string `json:"appid"`
	UserID         string `json:"-"`
	OpenID         string `json:"openid"`
	Subscribed     bool   `json:"subscribed"`
	SubscribeTime  int64  `json:"subscribe_time"`
	SubscribeScene string `json:"subscribe_scene"`
	QRScene        int64  `json:"qr_scene"`
	QRSceneStr     string `json:"qr_scene_str"`
	Remark         string `json:"remark"`
	Blacklisted    bool   `json:"blacklisted"`

	windowKind     string
	windowOpenedAt int64
	windowSent     int
	lastEventTime  int64
}

const followerColumns = `appid, user_id, openid, subscribed, subscribe_time, subscribe_scene, qr_scene, qr_scene_str, remark, blacklisted,
	window_kind, window_opened_at, window_sent, last_event_time`

func scanFollower(row interface{ Scan(...any) error }) (*Follower, error) {
	var f Follower
	var sub, black int
	err := row.Scan(&f.AppID, &f.UserID, &f.OpenID, &sub, &f.SubscribeTime, &f.SubscribeScene, &f.QRScene, &f.QRSceneStr, &f.Remark, &black,
		&f.windowKind, &f.windowOpenedAt, &f.windowSent, &f.lastEventTime)
	if err != nil {
		return nil, err
	}
	f.Subscribed, f.Blacklisted = sub == 1, black == 1
	return &f, nil
}

// followerTx reads the relation in tx, locking it on PostgreSQL; nil when
// the user never followed.
func (s *Service) followerTx(ctx context.Context, tx *store.Tx, appid, userID string) (*Follower, error) {
	f, err := scanFollower(tx.QueryRow(ctx, "SELECT "+followerColumns+" FROM oa_followers WHERE appid = ? AND user_id = ?"+s.forUpdate(), appid, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return f, err
}

// FollowerByOpenID returns the relation behind one of the account's
// OpenIDs, or ErrOpenIDNotFound.
func (s *Service) FollowerByOpenID(ctx context.Context, appid, openid string) (*Follower, error) {
	f, err := scanFollower(s.db.QueryRow(ctx, "SELECT "+followerColumns+" FROM oa_followers WHERE appid = ? AND openid = ?", appid, openid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrOpenIDNotFound
	}
	return f, err
}

// Relation returns userID's relation with appid (nil if never followed).
func (s *Service) Relation(ctx context.Context, appid, userID string) (*Follower, error) {
	f, err := scanFollower(s.db.QueryRow(ctx, "SELECT "+followerColumns+" FROM oa_followers WHERE appid = ? AND user_id = ?", appid, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return f, err
}

// officialAccount returns appid if it is an official account.
func (s *Service) officialAccount(ctx context.Context, appid string) (*account.App, error) {
	app, err := s.accounts.App(ctx, appid)
	if err != nil {
		return nil, err
	}
	if !app.Kind.IsOfficialAccount() {
		return nil, ErrNotOfficialAccount
	}
	return app, nil
}

// Follow makes userID follow appid from scene. Through a QR code (qr not
// nil) a new follower's subscribe event carries EventKey qrscene_<scene>
// and the Ticket; an existing follower's scan raises SCAN instead. Following
// again without a code changes nothing.
func (s *Service) Follow(ctx context.Context, appid, userID, scene string, qr *QRScene) (*ActResult, error) {
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	if _, err := s.ident.User(ctx, userID); err != nil {
		return nil, err
	}
	if qr != nil {
		scene = SceneQRCode
	}
	if scene == "" {
		scene = SceneOthers
	}
	openid, err := s.ident.Enroll(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	followed := false
	res, err := s.inRelationTx(ctx, app, userID, func(tx *store.Tx, f *Follower) (*ActResult, error) {
		now := s.now().Unix()
		if f != nil && f.Subscribed {
			if qr == nil {
				return &ActResult{}, nil
			}
			return s.actTx(ctx, tx, app, f, &Inbound{MsgType: "event", Event: "SCAN", EventKey: qr.key(), Ticket: qr.Ticket}, nil)
		}
		var qrID int64
		var qrStr string
		if qr != nil {
			qrID, qrStr = qr.SceneID, qr.SceneStr
		}
		if f == nil {
			_, err = tx.Exec(ctx, `INSERT INTO oa_followers(appid, user_id, openid, subscribed, subscribe_time, subscribe_scene, qr_scene, qr_scene_str)
				VALUES (?, ?, ?, 1, ?, ?, ?, ?)`, appid, userID, openid, now, scene, qrID, qrStr)
		} else {
			_, err = tx.Exec(ctx, `UPDATE oa_followers SET subscribed = 1, subscribe_time = ?, subscribe_scene = ?, qr_scene = ?, qr_scene_str = ?
				WHERE appid = ? AND user_id = ?`, now, scene, qrID, qrStr, appid, userID)
		}
		if err != nil {
			return nil, err
		}
		if f, err = s.followerTx(ctx, tx, appid, userID); err != nil {
			return nil, err
		}
		in := &Inbound{MsgType: "event", Event: "subscribe"}
		if qr != nil {
			in.EventKey, in.Ticket = "qrscene_"+qr.key(), qr.Ticket
		}
		followed = true
		return s.actTx(ctx, tx, app, f, in, nil)
	})
	if err != nil {
		return nil, err
	}
	if followed {
		s.hub.Publish(userID, live.Event{Type: "follow", AppID: appid})
	}
	return res, nil
}

// Unfollow ends userID's follow of appid (no-op if not following). The
// developer server gets an unsubscribe event.
func (s *Service) Unfollow(ctx context.Context, appid, userID string) (*ActResult, error) {
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	res, err := s.inRelationTx(ctx, app, userID, func(tx *store.Tx, f *Follower) (*ActResult, error) {
		if f == nil || !f.Subscribed {
			return &ActResult{}, nil
		}
		if _, err := tx.Exec(ctx, "UPDATE oa_followers SET subscribed = 0, unsubscribe_time = ? WHERE appid = ? AND user_id = ?",
			s.now().Unix(), appid, userID); err != nil {
			return nil, err
		}
		f.Subscribed = false
		return s.actTx(ctx, tx, app, f, &Inbound{MsgType: "event", Event: "unsubscribe"}, nil)
	})
	if err != nil {
		return nil, err
	}
	s.hub.Publish(userID, live.Event{Type: "follow", AppID: appid})
	return res, nil
}

// inRelationTx runs fn in a transaction holding userID's relation with app
// (nil if the user never followed) locked, then sends and announces what
// the action caused once it committed.
func (s *Service) inRelationTx(ctx context.Context, app *account.App, userID string, fn func(tx *store.Tx, f *Follower) (*ActResult, error)) (*ActResult, error) {
	var res *ActResult
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// A row lock cannot serialize a first follow (there is no row yet):
		// without this, racing first follows on PostgreSQL both insert.
		if err := tx.Lock(ctx, "oa_follow:"+app.AppID+":"+userID); err != nil {
			return err
		}
		f, err := s.followerTx(ctx, tx, app.AppID, userID)
		if err != nil {
			return err
		}
		res, err = fn(tx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.settled(userID, app.AppID, res)
	return res, nil
}
