package wxacode

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"superapp/internal/input"
	"superapp/internal/store"
)

// Kinds of mini program code.
const (
	KindA = "getwxacode"        // path with query, capped
	KindB = "getwxacodeunlimit" // page + scene, unlimited
	KindC = "createwxaqrcode"   // square QR code, path ≤ 128 bytes, capped
)

// Limits of codes (wechat-api §4.3).
const (
	MaxPathA      = 1024
	MaxPathC      = 128
	MaxScene      = 32
	MinWidth      = 280
	MaxWidth      = 1280
	DefaultWidth  = 430
	sceneAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$&'()*+,/:;=?@-._~"
)

// Color is line_color; SDKs send the numbers as strings or numbers.
type Color struct{ R, G, B uint8 }

// CodeRequest is what a code endpoint asks for.
type CodeRequest struct {
	Kind string
	// Path (A, C): the page with an optional query.
	Path string
	// Page and Scene (B); CheckPath false allows an unpublished page.
	Page      string
	Scene     string
	CheckPath bool
	Width     int // 0 = DefaultWidth
	AutoColor bool
	LineColor *Color
	IsHyaline bool
	// EnvVersion is release (""), trial or develop.
	EnvVersion string
	// BaseURL is this server as the caller reached it (scheme://host): the
	// code holds BaseURL/mpcode/<appid>?….
	BaseURL string
}

// Code is a made code: the URL its image holds and the JPEG.
type Code struct {
	URL  string
	JPEG []byte
}

// ValidEnv says whether env is an env_version ("" = release).
func ValidEnv(env string) bool {
	return env == "" || env == EnvRelease || env == EnvTrial || env == EnvDevelop
}

// validScene is WeChat's rule for a B code's scene: 1 to 32 visible
// characters of a fixed set.
func validScene(s string) bool {
	if s == "" || len(s) > MaxScene {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(sceneAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// validPagePath is a page path without a leading slash: letters, digits
// and path punctuation, no query.
func validPagePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || !input.Storable(p) {
		return false
	}
	for _, r := range p {
		if r <= ' ' || strings.ContainsRune("?#&=\\\"'<>%", r) {
			return false
		}
	}
	return true
}

func (s *Service) checkCode(ctx context.Context, appid string, req *CodeRequest) error {
	if !ValidEnv(req.EnvVersion) {
		return fmt.Errorf("%w: %q, use release, trial or develop", ErrEnvVersion, req.EnvVersion)
	}
	if req.EnvVersion == EnvRelease {
		req.EnvVersion = ""
	}
	if req.Width == 0 {
		req.Width = DefaultWidth
	}
	if req.Width < MinWidth || req.Width > MaxWidth {
		return fmt.Errorf("%w: %d, %d to %d pixels", ErrWidth, req.Width, MinWidth, MaxWidth)
	}
	switch req.Kind {
	case KindA, KindC:
		limit := MaxPathA
		if req.Kind == KindC {
			limit = MaxPathC
		}
		if req.Path == "" || len(req.Path) > limit || !input.Storable(req.Path) {
			return fmt.Errorf("%w: path is required, at most %d bytes", ErrPath, limit)
		}
	case KindB:
		if !validScene(req.Scene) {
			return fmt.Errorf("%w: scene must be 1 to %d characters of 0-9 A-Z a-z %s", ErrScene, MaxScene, sceneAlphabet[62:])
		}
		if req.Page != "" && !validPagePath(req.Page) {
			return fmt.Errorf("%w: %q, a page path without a leading / and without a query", ErrPage, req.Page)
		}
		// Only the online version's pages count, and only for release
		// codes: WeChat checks trial/develop codes against nothing.
		if req.CheckPath && req.EnvVersion == "" {
			pages, err := s.releases(ctx, appid)
			if err != nil {
				return fmt.Errorf("%w: the mini program has no released version (or pass check_path false)", ErrPage)
			}
			if req.Page != "" && !slices.Contains(pages, req.Page) {
				return fmt.Errorf("%w: %q, not a page of the released version", ErrPage, req.Page)
			}
		}
	default:
		return fmt.Errorf("unknown code kind %q", req.Kind)
	}
	return nil
}

// MakeCode checks req, counts an A or C code against the app's lifetime
// cap, and draws the code.
func (s *Service) MakeCode(ctx context.Context, appid string, req CodeRequest) (*Code, error) {
	if _, err := s.miniProgram(ctx, appid); err != nil {
		return nil, err
	}
	if err := s.checkCode(ctx, appid, &req); err != nil {
		return nil, err
	}
	// Drawn before counting: a code too long to draw spends nothing.
	link := CodeURL(req.BaseURL, appid, req)
	var line *Color
	if !req.AutoColor {
		line = req.LineColor
	}
	img, err := QRCodeJPEG(link, req.Width, line)
	if err != nil {
		return nil, err
	}
	if req.Kind != KindB {
		if err := s.countCode(ctx, appid, req); err != nil {
			return nil, err
		}
	} else if !s.takeUnlimited(appid) {
		return nil, fmt.Errorf("%w: at most %d getwxacodeunlimit codes a minute", ErrCodeRate, s.policy.UnlimitedPerMinute)
	}
	return &Code{URL: link, JPEG: img}, nil
}

// takeUnlimited counts one getwxacodeunlimit code of appid in this
// minute, false when the minute's allowance is spent. WeChat's limit is
// 5,000 a minute; this server counts its own (several servers allow that
// many each).
func (s *Service) takeUnlimited(appid string) bool {
	limit := s.policy.UnlimitedPerMinute
	if limit <= 0 {
		return true
	}
	minute := s.now().Unix() / 60
	s.rateMu.Lock()
	defer s.rateMu.Unlock()
	if minute != s.rateMin || s.unlimited == nil {
		s.rateMin, s.unlimited = minute, map[string]int{}
	}
	if s.unlimited[appid] >= limit {
		return false
	}
	s.unlimited[appid]++
	return true
}

// countCode records req's parameters once per app; a new set beyond the
// cap is refused.
func (s *Service) countCode(ctx context.Context, appid string, req CodeRequest) error {
	key, _ := json.Marshal([]any{req.Kind, req.Path, req.Width, req.AutoColor, req.LineColor, req.IsHyaline, req.EnvVersion})
	sum := sha256.Sum256(key)
	hash := hex.EncodeToString(sum[:])
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "mp_code_params:"+appid); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_code_params WHERE appid = ? AND params_hash = ?", appid, hash).Scan(&n)
		if err != nil || n > 0 {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mp_code_params WHERE appid = ?", appid).Scan(&n); err != nil {
			return err
		}
		if n >= s.policy.CodeLifetimeCap {
			return fmt.Errorf("%w: the app has made %d codes", ErrCodeLimit, n)
		}
		_, err = tx.Exec(ctx, "INSERT INTO mp_code_params(appid, params_hash, created_at) VALUES (?, ?, ?)", appid, hash, s.now().Unix())
		return err
	})
}

// CodesMade is how many distinct A and C codes the app has made.
func (s *Service) CodesMade(ctx context.Context, appid string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM mp_code_params WHERE appid = ?", appid).Scan(&n)
	return n, err
}

// CodeURL is the address a code's image holds:
// base/mpcode/<appid>?path=… (A, C) or ?page=…&scene=… (B), with env for
// trial and develop codes.
func CodeURL(base, appid string, req CodeRequest) string {
	q := url.Values{}
	if req.Kind == KindB {
		if req.Page != "" {
			q.Set("page", req.Page)
		}
		q.Set("scene", req.Scene)
	} else {
		q.Set("path", req.Path)
	}
	if req.EnvVersion != "" && req.EnvVersion != EnvRelease {
		q.Set("env", req.EnvVersion)
	}
	return strings.TrimRight(base, "/") + "/mpcode/" + url.PathEscape(appid) + "?" + q.Encode()
}

// QRCodeJPEG draws text as a QR code of about size pixels (larger when
// the text needs more modules), in the line color (nil: black) on white,
// as JPEG. WeChat draws A/B codes as round "sun" codes only its app reads;
// ours are QR codes any reader (and the shell) reads. JPEG has no
// transparency, so is_hyaline is accepted and has no effect. ErrPath when
// text is too long for a QR code.
func QRCodeJPEG(text string, size int, line *Color) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("%w: too long for a code", ErrPath)
	}
	if line != nil {
		q.ForegroundColor = color.RGBA{line.R, line.G, line.B, 255}
	}
	src := q.Image(size)
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// utf8Len is a string's length in characters.
func utf8Len(s string) int { return utf8.RuneCountInString(s) }
