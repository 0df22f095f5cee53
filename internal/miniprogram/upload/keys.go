// Package upload is how a mini program's code reaches the server from a
// developer's machine or a CI job (docs/miniprogram-platform.md, "Upload"):
// upload keys (WeChat's 代码上传密钥: one Ed25519 key per mini program,
// optional IP whitelist), the signed CI API /mp/ci/v1/…, and the client
// half behind `superapp upload` and `superapp preview`.
package upload

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/random"
	"superapp/internal/store"
)

// Errors of the key store. The admin API maps them to answers.
var (
	ErrKeyExists = errors.New("the mini program already has an upload key: rotate it (`superapp mp key rotate --appid APPID`) or revoke it first")
	ErrNoKey     = errors.New("the mini program has no upload key: create one with `superapp mp key create --appid APPID`")
)

// MaxWhitelist bounds a key's IP whitelist, as an app's.
const MaxWhitelist = 200

// Key is an upload key as the server keeps it: never the private half.
type Key struct {
	AppID       string   `json:"appid"`
	KeyID       string   `json:"key_id"`
	PublicKey   string   `json:"public_key"` // base64 of the 32-byte Ed25519 public key
	IPWhitelist []string `json:"ip_whitelist"`
	CreatedAt   int64    `json:"created_at"`
	LastUsedAt  int64    `json:"last_used_at"` // 0: never
}

// IPAllowed reports whether addr may use the key; an empty whitelist
// allows any address.
func (k *Key) IPAllowed(addr netip.Addr) bool { return account.IPListAllows(k.IPWhitelist, addr) }

func (k *Key) publicKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return b
}

// MiniPrograms says whether an app is a mini program (host.Registry).
type MiniPrograms interface {
	MiniProgram(ctx context.Context, appid string) (*account.App, error)
}

// Keys stores upload keys.
type Keys struct {
	db   *store.DB
	apps MiniPrograms
	now  func() time.Time
}

// NewKeys returns the key store over db.
func NewKeys(db *store.DB, apps MiniPrograms) *Keys {
	return &Keys{db: db, apps: apps, now: time.Now}
}

// CleanWhitelist checks and normalizes IP whitelist entries: addresses or
// CIDR ranges, blanks dropped.
func CleanWhitelist(entries []string) ([]string, error) {
	clean := []string{}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			e = p.Masked().String()
		} else if a, err := netip.ParseAddr(e); err == nil {
			e = a.Unmap().String()
		} else {
			return nil, input.Errorf("ip_whitelist", fmt.Sprintf("%q is neither an IP address nor a CIDR range", e))
		}
		clean = append(clean, e)
	}
	if len(clean) > MaxWhitelist {
		return nil, input.Errorf("ip_whitelist", fmt.Sprintf("has %d entries; at most %d are allowed", len(clean), MaxWhitelist))
	}
	return clean, nil
}

// parsePublicKey checks a base64 Ed25519 public key.
func parsePublicKey(pub string) error {
	b, err := base64.StdEncoding.DecodeString(pub)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return input.Errorf("public_key", "must be the base64 of a 32-byte Ed25519 public key")
	}
	return nil
}

// Create stores pub as the mini program's upload key. With rotate it
// replaces the current key, which stops working at once (ErrNoKey when
// there is none); without, an existing key is ErrKeyExists. A nil
// whitelist on rotate keeps the old key's.
func (k *Keys) Create(ctx context.Context, appid, pub string, whitelist []string, rotate bool) (*Key, error) {
	if _, err := k.apps.MiniProgram(ctx, appid); err != nil {
		return nil, err
	}
	if err := parsePublicKey(pub); err != nil {
		return nil, err
	}
	var clean []string
	if whitelist != nil {
		var err error
		if clean, err = CleanWhitelist(whitelist); err != nil {
			return nil, err
		}
	}
	key := &Key{AppID: appid, KeyID: "uk_" + random.Hex(8), PublicKey: pub, IPWhitelist: clean, CreatedAt: k.now().Unix()}
	err := k.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "mp_upload_key:"+appid); err != nil {
			return err
		}
		old, err := getKey(ctx, tx, "appid", appid)
		switch {
		case errors.Is(err, ErrNoKey):
			if rotate {
				return ErrNoKey
			}
		case err != nil:
			return err
		case !rotate:
			return ErrKeyExists
		default:
			if key.IPWhitelist == nil {
				key.IPWhitelist = old.IPWhitelist
			}
			if err := retire(ctx, tx, old, "rotated", key.CreatedAt); err != nil {
				return err
			}
		}
		if key.IPWhitelist == nil {
			key.IPWhitelist = []string{}
		}
		_, err = tx.Exec(ctx, "INSERT INTO mp_upload_keys(appid, key_id, public_key, ip_whitelist, created_at) VALUES (?, ?, ?, ?, ?)",
			appid, key.KeyID, pub, strings.Join(key.IPWhitelist, ","), key.CreatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// retire moves a key to the retired list.
func retire(ctx context.Context, tx *store.Tx, old *Key, reason string, at int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM mp_upload_keys WHERE appid = ?", old.AppID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO mp_upload_keys_retired(key_id, appid, reason, retired_at) VALUES (?, ?, ?, ?)",
		old.KeyID, old.AppID, reason, at)
	return err
}

// Get returns the mini program's key.
func (k *Keys) Get(ctx context.Context, appid string) (*Key, error) {
	if _, err := k.apps.MiniProgram(ctx, appid); err != nil {
		return nil, err
	}
	return getKey(ctx, k.db, "appid", appid)
}

// SetIPWhitelist replaces the key's whitelist (empty: any address).
func (k *Keys) SetIPWhitelist(ctx context.Context, appid string, whitelist []string) (*Key, error) {
	clean, err := CleanWhitelist(whitelist)
	if err != nil {
		return nil, err
	}
	if _, err := k.apps.MiniProgram(ctx, appid); err != nil {
		return nil, err
	}
	res, err := k.db.Exec(ctx, "UPDATE mp_upload_keys SET ip_whitelist = ? WHERE appid = ?", strings.Join(clean, ","), appid)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNoKey
	}
	return getKey(ctx, k.db, "appid", appid)
}

// Revoke deletes the mini program's key; requests signed with it are
// refused from now on.
func (k *Keys) Revoke(ctx context.Context, appid string) error {
	if _, err := k.apps.MiniProgram(ctx, appid); err != nil {
		return err
	}
	return k.db.InTx(ctx, func(tx *store.Tx) error {
		// As Create: a revoke racing a rotation retires one key, not both.
		if err := tx.Lock(ctx, "mp_upload_key:"+appid); err != nil {
			return err
		}
		old, err := getKey(ctx, tx, "appid", appid)
		if err != nil {
			return err
		}
		return retire(ctx, tx, old, "revoked", k.now().Unix())
	})
}

// lookup finds a key by id for a request: the key, or why there is none
// ("unknown", "rotated", "revoked").
func (k *Keys) lookup(ctx context.Context, keyID string) (*Key, string, error) {
	key, err := getKey(ctx, k.db, "key_id", keyID)
	if err == nil {
		return key, "", nil
	}
	if !errors.Is(err, ErrNoKey) {
		return nil, "", err
	}
	var reason string
	err = k.db.QueryRow(ctx, "SELECT reason FROM mp_upload_keys_retired WHERE key_id = ?", keyID).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "unknown", nil
	}
	if err != nil {
		return nil, "", err
	}
	return nil, reason, nil
}

// touch records that the key was just used.
func (k *Keys) touch(ctx context.Context, keyID string) error {
	_, err := k.db.Exec(ctx, "UPDATE mp_upload_keys SET last_used_at = ? WHERE key_id = ?", k.now().Unix(), keyID)
	return err
}

type rowQueryer interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// getKey reads one key by column ("appid" or "key_id"); ErrNoKey when absent.
func getKey(ctx context.Context, q rowQueryer, column, value string) (*Key, error) {
	var key Key
	var list string
	err := q.QueryRow(ctx, "SELECT appid, key_id, public_key, ip_whitelist, created_at, last_used_at FROM mp_upload_keys WHERE "+column+" = ?", value).
		Scan(&key.AppID, &key.KeyID, &key.PublicKey, &list, &key.CreatedAt, &key.LastUsedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, err
	}
	key.IPWhitelist = []string{}
	if list != "" {
		key.IPWhitelist = strings.Split(list, ",")
	}
	return &key, nil
}
