package callback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"superapp/internal/input"
	"superapp/internal/store"
	"superapp/internal/wxcrypto"
)

// Config is an account's developer server.
type Config struct {
	AppID          string `json:"appid"`
	URL            string `json:"url"`
	Token          string `json:"-"`
	AESKey         string `json:"-"` // EncodingAESKey, 43 characters
	PreviousAESKey string `json:"-"`
	Mode           string `json:"mode"`
	VerifiedAt     int64  `json:"verified_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// ErrNoServer means the account has no developer server configured.
var ErrNoServer = errors.New("no developer server is configured for this account")

type querier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// LoadConfig returns appid's developer server, or ErrNoServer. q is the
// database or a transaction.
func LoadConfig(ctx context.Context, q querier, appid string) (*Config, error) {
	var c Config
	err := q.QueryRow(ctx, `SELECT appid, url, token, aes_key, previous_aes_key, mode, verified_at, updated_at
		FROM oa_callback_configs WHERE appid = ?`, appid).
		Scan(&c.AppID, &c.URL, &c.Token, &c.AESKey, &c.PreviousAESKey, &c.Mode, &c.VerifiedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.URL == "") {
		return nil, ErrNoServer
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Configured reports whether appid has a developer server (q is the
// database or a transaction).
func Configured(ctx context.Context, q querier, appid string) (bool, error) {
	_, err := LoadConfig(ctx, q, appid)
	if errors.Is(err, ErrNoServer) {
		return false, nil
	}
	return err == nil, err
}

var _ querier = (*store.Tx)(nil)
var _ querier = (*store.DB)(nil)

// Settings are what an operator sets for an account's developer server.
type Settings struct {
	URL            string `json:"url"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	// Mode is plain, compatible or safe; empty means safe when an
	// EncodingAESKey is given, plain otherwise.
	Mode string `json:"mode"`
}

// VerifyError is a developer server that did not pass WeChat's URL
// verification; Msg says what it answered.
type VerifyError struct{ Msg string }

func (e *VerifyError) Error() string { return e.Msg }

func lettersAndDigits(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validate checks the settings' form as WeChat's console does and fills
// in the default mode.
func (s *Settings) validate() error {
	if l := len(s.Token); l < 3 || l > 32 || !lettersAndDigits(s.Token) {
		return input.Errorf("token", "must be 3–32 letters or digits")
	}
	switch s.Mode {
	case "":
		s.Mode = ModePlain
		if s.EncodingAESKey != "" {
			s.Mode = ModeSafe
		}
	case ModePlain, ModeCompatible, ModeSafe:
	default:
		return input.Errorf("mode", "must be plain, compatible or safe")
	}
	if s.EncodingAESKey == "" && s.Mode != ModePlain {
		return input.Errorf("encoding_aes_key", "is required in "+s.Mode+" mode")
	}
	if s.EncodingAESKey != "" && (len(s.EncodingAESKey) != 43 || !lettersAndDigits(s.EncodingAESKey)) {
		return input.Errorf("encoding_aes_key", "must be exactly 43 letters or digits")
	}
	return nil
}

// Configure sets appid's developer server after checking the target
// against SSRF and passing WeChat's URL verification: a GET with
// signature, timestamp, nonce and echostr that the server must answer with
// echostr exactly. A changed EncodingAESKey keeps the previous one, which
// still decrypts replies.
func (d *Dispatcher) Configure(ctx context.Context, appid string, s Settings) (*Config, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	u, err := parseTarget(s.URL)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(ctx, u, d.opts.AllowPrivate); err != nil {
		return nil, err
	}
	if err := d.verifyURL(ctx, u, s.Token); err != nil {
		return nil, err
	}
	now := d.now().Unix()
	c := &Config{AppID: appid, URL: s.URL, Token: s.Token, AESKey: s.EncodingAESKey, Mode: s.Mode, VerifiedAt: now, UpdatedAt: now}
	err = d.db.InTx(ctx, func(tx *store.Tx) error {
		var old, previous string
		err := tx.QueryRow(ctx, "SELECT aes_key, previous_aes_key FROM oa_callback_configs WHERE appid = ?", appid).Scan(&old, &previous)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c.PreviousAESKey = previous
		if old != "" && old != c.AESKey {
			c.PreviousAESKey = old
		}
		_, err = tx.Exec(ctx, `INSERT INTO oa_callback_configs(appid, url, token, aes_key, previous_aes_key, mode, verified_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (appid) DO UPDATE SET url = excluded.url, token = excluded.token, aes_key = excluded.aes_key,
				previous_aes_key = excluded.previous_aes_key, mode = excluded.mode, verified_at = excluded.verified_at, updated_at = excluded.updated_at`,
			c.AppID, c.URL, c.Token, c.AESKey, c.PreviousAESKey, c.Mode, c.VerifiedAt, c.UpdatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Clear removes appid's developer server; false when none was set. Pushes
// still queued fail (the user is told the account cannot serve).
func (d *Dispatcher) Clear(ctx context.Context, appid string) (bool, error) {
	res, err := d.db.Exec(ctx, "DELETE FROM oa_callback_configs WHERE appid = ?", appid)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// verifyParams are the query parameters URL verification sets.
var verifyParams = []string{"signature", "timestamp", "nonce", "echostr"}

// maxEchoAnswer bounds how much of a verification answer is read.
const maxEchoAnswer = 4096

// verifyURL performs WeChat's URL verification against u.
func (d *Dispatcher) verifyURL(ctx context.Context, u *url.URL, token string) error {
	timestamp := strconv.FormatInt(d.now().Unix(), 10)
	nonce := strconv.FormatUint(rand.Uint64N(10_000_000_000), 10)
	echostr := strconv.FormatUint(rand.Uint64N(1<<62), 10)
	target := *u
	// The URL's own query is kept as written, as for pushes (see newTarget).
	target.RawQuery = "signature=" + wxcrypto.Signature(token, timestamp, nonce) + "&timestamp=" + timestamp + "&nonce=" + nonce + "&echostr=" + echostr
	if q := withoutParams(u.RawQuery, verifyParams); q != "" {
		target.RawQuery = q + "&" + target.RawQuery
	}
	target.ForceQuery = false
	vctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(vctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return input.Errorf("url", "is not a usable URL")
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return &VerifyError{"URL verification failed: " + describeError(err, d.opts.Timeout)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEchoAnswer+1))
	if err != nil {
		return &VerifyError{"URL verification failed: reading the answer: " + describeError(err, d.opts.Timeout)}
	}
	if resp.StatusCode != http.StatusOK {
		return &VerifyError{fmt.Sprintf("URL verification failed: the server answered HTTP %d (%s) instead of echoing echostr", resp.StatusCode, quoteAnswer(body))}
	}
	if string(body) != echostr {
		return &VerifyError{fmt.Sprintf("URL verification failed: the server answered %s instead of echoing echostr %q exactly (check the Token)", quoteAnswer(body), echostr)}
	}
	return nil
}

// quoteAnswer shows the start of what a server answered.
func quoteAnswer(body []byte) string {
	if len(body) == 0 {
		return "an empty body"
	}
	return strconv.Quote(truncate(strings.ToValidUTF8(string(body), "?"), 80))
}
