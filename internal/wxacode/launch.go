package wxacode

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// How a user met a code: the shell's scan page with the camera (or the
// code's address opened), a picture from the album, a long-press on an
// image in a chat.
const (
	ViaCamera    = "camera"
	ViaAlbum     = "album"
	ViaLongPress = "longpress"
)

// ErrNotALink says a text is none of this platform's codes or links.
var ErrNotALink = errors.New("not a mini program code or link")

// Launch is what opening a code or link does: open AppID at Path with
// Query, under Scene, in EnvVersion.
type Launch struct {
	AppID string `json:"appid"`
	// Path is the page, with the query an A or C code's path holds.
	Path string `json:"path"`
	// Query is a query string the app receives as its query object; a B
	// code's scene is in it URI-encoded, as WeChat gives it
	// (query.scene is encodeURIComponent(scene)).
	Query      string `json:"query"`
	Scene      int    `json:"scene"`
	EnvVersion string `json:"env_version"`
	// URL is the shell's address that opens it.
	URL string `json:"launch_url"`
}

// ShellURL is the shell's /miniprogram/<appid>?path=&query=&scene=&env_version=.
func (l *Launch) ShellURL() string {
	q := url.Values{}
	if l.Path != "" {
		q.Set("path", l.Path)
	}
	if l.Query != "" {
		q.Set("query", l.Query)
	}
	q.Set("scene", strconv.Itoa(l.Scene))
	if l.EnvVersion != "" && l.EnvVersion != EnvRelease {
		q.Set("env_version", l.EnvVersion)
	}
	return "/miniprogram/" + url.PathEscape(l.AppID) + "?" + q.Encode()
}

// codeScene is the scene of a code read a given way.
func codeScene(via string) int {
	switch via {
	case ViaAlbum:
		return SceneAlbumCode
	case ViaLongPress:
		return SceneLongPressCode
	}
	return SceneScanCode
}

// EncodeURIComponent is JavaScript's encodeURIComponent.
func EncodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

// CodeLaunch is opening the code whose address is /mpcode/<appid>?query.
func (s *Service) CodeLaunch(ctx context.Context, appid string, q url.Values, via string) (*Launch, error) {
	if _, err := s.miniProgram(ctx, appid); err != nil {
		return nil, err
	}
	env := q.Get("env")
	if !ValidEnv(env) {
		return nil, ErrNotALink
	}
	if env == "" {
		env = EnvRelease
	}
	l := &Launch{AppID: appid, Scene: codeScene(via), EnvVersion: env}
	if q.Has("scene") {
		scene := q.Get("scene")
		if !validScene(scene) {
			return nil, ErrNotALink
		}
		l.Path = q.Get("page")
		// Parsing this query gives scene = encodeURIComponent(scene).
		l.Query = "scene=" + EncodeURIComponent(EncodeURIComponent(scene))
	} else {
		l.Path = strings.TrimLeft(q.Get("path"), "/")
		if l.Path == "" {
			return nil, ErrNotALink
		}
	}
	l.URL = l.ShellURL()
	return l, nil
}

// LinkLaunch is opening a link's ticket.
func (s *Service) LinkLaunch(ctx context.Context, kind, ticket string) (*Launch, error) {
	link, err := s.OpenLink(ctx, kind, ticket)
	if err != nil {
		return nil, err
	}
	if _, err := s.miniProgram(ctx, link.AppID); err != nil {
		return nil, err
	}
	scene := map[string]int{LinkScheme: SceneURLScheme, LinkURL: SceneURLLink, LinkShortLink: SceneShortLink}[link.Kind]
	l := &Launch{AppID: link.AppID, Path: link.Path, Query: link.Query, Scene: scene, EnvVersion: link.EnvVersion}
	l.URL = l.ShellURL()
	return l, nil
}

// Resolve is opening text read from a code or pasted: a code's address
// (…/mpcode/<appid>?…, any host: the server may be known by several
// names), a URL link (…/wxaurl/<ticket>), a URL scheme
// (weixin://dl/business/?t=<ticket>) or a short link
// (#小程序://<name>/…/<ticket>). ErrNotALink for anything else.
func (s *Service) Resolve(ctx context.Context, text, via string) (*Launch, error) {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(text, "#小程序://"); ok {
		i := strings.LastIndexByte(rest, '/')
		if i < 0 {
			return nil, ErrNotALink
		}
		return s.LinkLaunch(ctx, LinkShortLink, rest[i+1:])
	}
	u, err := url.Parse(text)
	if err != nil {
		return nil, ErrNotALink
	}
	switch {
	case u.Scheme == "weixin" && u.Host == "dl" && strings.TrimSuffix(u.Path, "/") == "/business":
		return s.LinkLaunch(ctx, LinkScheme, u.Query().Get("t"))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, ErrNotALink
	}
	if appid, ok := strings.CutPrefix(u.Path, "/mpcode/"); ok && appid != "" && !strings.Contains(appid, "/") {
		return s.CodeLaunch(ctx, appid, u.Query(), via)
	}
	if ticket, ok := strings.CutPrefix(u.Path, "/wxaurl/"); ok && ticket != "" && !strings.Contains(ticket, "/") {
		return s.LinkLaunch(ctx, LinkURL, ticket)
	}
	return nil, ErrNotALink
}
