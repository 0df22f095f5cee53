package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"superapp/internal/input"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Errors of QR codes.
var (
	ErrQRCodeNotFound = errors.New("no such QR code")
	ErrQRCodeExpired  = errors.New("this QR code has expired")

	ErrQRActionName = errors.New("invalid action_name")
	ErrQRScene      = errors.New("invalid scene")
	ErrQRExpiry     = errors.New("invalid expire_seconds")
	ErrQRCodeLimit  = errors.New("the account has as many permanent QR codes as allowed")
)

// The kinds of parametric QR code (qrcode/create's action_name).
const (
	QRActionScene         = "QR_SCENE"           // temporary, numeric scene
	QRActionStrScene      = "QR_STR_SCENE"       // temporary, string scene
	QRActionLimitScene    = "QR_LIMIT_SCENE"     // permanent, numeric scene
	QRActionLimitStrScene = "QR_LIMIT_STR_SCENE" // permanent, string scene
)

// MaxQRSceneStr is the longest scene_str in characters.
const MaxQRSceneStr = 64

// QRCodeRequest is what qrcode/create asks for.
type QRCodeRequest struct {
	Action   string
	SceneID  int64
	SceneStr string
	// ExpireSeconds of a temporary code; 0 means Policy.TempQRDefaultSeconds.
	ExpireSeconds int64
	// BaseURL is this server as the creator reached it (scheme://host); the
	// code's URL is BaseURL/q/<code>.
	BaseURL string
}

// QRCode is a parametric QR code of an account. Its image encodes URL,
// <this server>/q/<Code>; Ticket fetches the image (showqrcode).
type QRCode struct {
	AppID     string
	Ticket    string
	Code      string
	URL       string
	Action    string
	SceneID   int64
	SceneStr  string
	Permanent bool
	// ExpireSeconds is the lifetime a temporary code was created with.
	ExpireSeconds int64
	ExpiresAt     int64
}

const qrColumns = "appid, ticket, code, url, action, scene_id, scene_str, permanent, expires_at, created_at"

func scanQRCode(row interface{ Scan(...any) error }) (*QRCode, error) {
	var q QRCode
	var permanent int
	var created int64
	if err := row.Scan(&q.AppID, &q.Ticket, &q.Code, &q.URL, &q.Action, &q.SceneID, &q.SceneStr, &permanent, &q.ExpiresAt, &created); err != nil {
		return nil, err
	}
	q.Permanent = permanent == 1
	if !q.Permanent {
		q.ExpireSeconds = q.ExpiresAt - created
	}
	return &q, nil
}

// checkQRRequest validates a request against WeChat's rules (reference
// §3.2, platform-rules §3.9) and returns the scene as stored: a numeric
// scene has no string and a string scene has id 0.
func (s *Service) checkQRRequest(req *QRCodeRequest) (permanent bool, err error) {
	p := s.policy
	var numeric bool
	switch req.Action {
	case QRActionScene:
		numeric = true
	case QRActionStrScene:
	case QRActionLimitScene:
		permanent, numeric = true, true
	case QRActionLimitStrScene:
		permanent = true
	default:
		return false, fmt.Errorf("%w: %q; use QR_SCENE, QR_STR_SCENE, QR_LIMIT_SCENE or QR_LIMIT_STR_SCENE", ErrQRActionName, req.Action)
	}
	if numeric {
		// A temporary code's scene_id is a non-zero 32-bit integer; WeChat
		// puts it in an EventKey, so we take the positive ones.
		maxID := int64(math.MaxUint32)
		if permanent {
			maxID = int64(p.PermanentQRMaxSceneID)
		}
		if req.SceneID < 1 || req.SceneID > maxID {
			return false, fmt.Errorf("%w: scene_id %d of %s must be between 1 and %d", ErrQRScene, req.SceneID, req.Action, maxID)
		}
		req.SceneStr = ""
	} else {
		if n := utf8.RuneCountInString(req.SceneStr); n < 1 || n > MaxQRSceneStr || !input.Storable(req.SceneStr) {
			return false, fmt.Errorf("%w: scene_str of %s must be 1 to %d characters of UTF-8 text", ErrQRScene, req.Action, MaxQRSceneStr)
		}
		req.SceneID = 0
	}
	if permanent {
		req.ExpireSeconds = 0
		return true, nil
	}
	if req.ExpireSeconds == 0 {
		req.ExpireSeconds = int64(p.TempQRDefaultSeconds)
	}
	if req.ExpireSeconds < 1 || req.ExpireSeconds > int64(p.TempQRMaxSeconds) {
		return false, fmt.Errorf("%w: %d; a temporary code lives 1 to %d seconds", ErrQRExpiry, req.ExpireSeconds, p.TempQRMaxSeconds)
	}
	return false, nil
}

// CreateQRCode makes a parametric QR code. A permanent code for a scene the
// account already has a code for is that code; permanent codes are limited
// to Policy.PermanentQRCodes per account, temporary ones are not limited.
func (s *Service) CreateQRCode(ctx context.Context, appid string, req QRCodeRequest) (*QRCode, error) {
	permanent, err := s.checkQRRequest(&req)
	if err != nil {
		return nil, err
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	now := s.now().Unix()
	q := &QRCode{AppID: appid, Action: req.Action, SceneID: req.SceneID, SceneStr: req.SceneStr, Permanent: permanent,
		// Both go into URLs as they are (silenceper does not escape the
		// ticket), so both are URL-safe base64.
		Ticket: "gQ" + random.Token(36), Code: random.Token(15)}
	q.URL = strings.TrimRight(req.BaseURL, "/") + "/q/" + q.Code
	if !permanent {
		q.ExpireSeconds, q.ExpiresAt = req.ExpireSeconds, now+req.ExpireSeconds
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if permanent {
			if err := tx.Lock(ctx, "oa_qrcodes:"+appid); err != nil {
				return err
			}
			existing, err := scanQRCode(tx.QueryRow(ctx, "SELECT "+qrColumns+" FROM oa_qrcodes WHERE appid = ? AND permanent = 1 AND scene_id = ? AND scene_str = ?",
				appid, req.SceneID, req.SceneStr))
			if err == nil {
				q = existing
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oa_qrcodes WHERE appid = ? AND permanent = 1", appid).Scan(&n); err != nil {
				return err
			}
			if n >= s.policy.PermanentQRCodes {
				return fmt.Errorf("%w: it has %d", ErrQRCodeLimit, n)
			}
		}
		flag := 0
		if permanent {
			flag = 1
		}
		_, err := tx.Exec(ctx, `INSERT INTO oa_qrcodes(ticket, appid, code, url, action, scene_id, scene_str, permanent, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, q.Ticket, appid, q.Code, q.URL, q.Action, q.SceneID, q.SceneStr, flag, q.ExpiresAt, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// QRCodeByTicket returns the live code a showqrcode ticket names:
// ErrQRCodeNotFound, or ErrQRCodeExpired for a temporary code past its time.
func (s *Service) QRCodeByTicket(ctx context.Context, ticket string) (*QRCode, error) {
	return s.liveQRCode(ctx, "ticket", ticket)
}

func (s *Service) liveQRCode(ctx context.Context, column, value string) (*QRCode, error) {
	if value == "" || !input.Storable(value) {
		return nil, ErrQRCodeNotFound
	}
	q, err := scanQRCode(s.db.QueryRow(ctx, "SELECT "+qrColumns+" FROM oa_qrcodes WHERE "+column+" = ?", value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrQRCodeNotFound
	}
	if err != nil {
		return nil, err
	}
	if !q.Permanent && s.now().Unix() >= q.ExpiresAt {
		return nil, fmt.Errorf("%w: it was valid until %s", ErrQRCodeExpired, time.Unix(q.ExpiresAt, 0).UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return q, nil
}

// ScanResult is what scanning an account's QR code did.
type ScanResult struct {
	AppID string `json:"appid"`
	// Event is what the developer server was told: "subscribe" (the user
	// followed through the code) or "SCAN" (a follower scanned).
	Event string `json:"event"`
	*ActResult
}

// ScanQR is a user scanning (or opening the URL of) the QR code with this
// code (the last path element of its /q/<code> URL): a new follower follows
// with the code's scene, a follower raises SCAN.
func (s *Service) ScanQR(ctx context.Context, userID, code string) (*ScanResult, error) {
	q, err := s.liveQRCode(ctx, "code", code)
	if err != nil {
		return nil, err
	}
	event := "subscribe"
	if rel, err := s.Relation(ctx, q.AppID, userID); err != nil {
		return nil, err
	} else if rel != nil && rel.Subscribed {
		event = "SCAN"
	}
	res, err := s.Follow(ctx, q.AppID, userID, SceneQRCode, &QRScene{Ticket: q.Ticket, SceneID: q.SceneID, SceneStr: q.SceneStr})
	if err != nil {
		return nil, err
	}
	return &ScanResult{AppID: q.AppID, Event: event, ActResult: res}, nil
}
