package host

// The wx.request / wx.uploadFile / wx.downloadFile proxy. A mini program's
// frame has connect-src 'none'; its network calls come here through the
// shell, which says which app and user they belong to. The proxy allows
// only the app's server domains over https (any domain, and http, in dev
// mode), refuses non-public addresses when the name is checked and again
// when the connection is dialled (netguard), and builds each outgoing
// request from the mini program's own headers: the shell's cookies and
// credentials never leave the server.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"superapp/internal/identity"
	"superapp/internal/inflight"
	"superapp/internal/miniprogram/wxhttp"
	"superapp/internal/netguard"
)

// Limits of the proxy.
const (
	// DefaultNetworkTimeout is WeChat's default networkTimeout (60 s) for
	// request, uploadFile and downloadFile; a call may ask for less.
	DefaultNetworkTimeout = 60 * time.Second
	// MaxRequestResponse bounds a wx.request answer body.
	MaxRequestResponse = 10 << 20
	// MaxDownload bounds a wx.downloadFile body.
	MaxDownload = 20 << 20
	// maxProxyBody bounds what the shell sends (a request body or an
	// upload, base64 in JSON).
	maxProxyBody = 16 << 20
	// maxRedirects is how many redirects a call follows, each checked like
	// the first URL.
	maxRedirects = 5
	// MaxCallsPerUser bounds a user's proxied calls in flight. WeChat's
	// own limit, 10 requests, uploads and downloads per mini program with
	// the rest queued, is kept by the runtime (logic/api/network.ts); this
	// is the server's guard across a user's mini programs and tabs, with
	// room for calls a mini program aborted that are still finishing.
	MaxCallsPerUser = 32
)

// proxy holds the outgoing HTTP client.
type proxy struct {
	resolve   resolver
	dial      dialer
	tlsConfig *tls.Config
	// calls caps each user's calls in flight.
	calls *inflight.Counter

	once   sync.Once
	client *http.Transport
}

// newProxy returns the proxy; allowPrivate lets it reach loopback and
// private LAN addresses (never link-local or cloud metadata ones).
func newProxy(allowPrivate bool) *proxy {
	return &proxy{
		resolve: func(ctx context.Context, host string) (netip.Addr, string, error) {
			return netguard.ResolveAllowing(ctx, host, allowPrivate)
		},
		dial:  defaultDialer(allowPrivate),
		calls: inflight.NewCounter(MaxCallsPerUser),
	}
}

func (p *proxy) transport() *http.Transport {
	p.once.Do(func() {
		p.client = &http.Transport{
			// No Proxy: an environment proxy would make the address checks moot.
			DialContext:           func(ctx context.Context, network, addr string) (net.Conn, error) { return p.dial(ctx, network, addr) },
			TLSClientConfig:       p.tlsConfig,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
		}
	})
	return p.client
}

// ProxyCall is what the shell relays of a mini program's wx.request,
// wx.uploadFile or wx.downloadFile call.
type ProxyCall struct {
	// API is "request" (default), "uploadFile" or "downloadFile".
	API    string         `json:"api"`
	URL    string         `json:"url"`
	Method string         `json:"method"`
	Header map[string]any `json:"header"`
	// Data is the request body (request) or the file (uploadFile), as
	// text or, with DataEncoding "base64", as base64.
	Data         string `json:"data"`
	DataEncoding string `json:"dataEncoding"`
	// ResponseType "arraybuffer" always answers base64.
	ResponseType string `json:"responseType"`
	// Timeout in milliseconds; 0 or more than the default is the default.
	Timeout int `json:"timeout"`
	// uploadFile: the form field name, the file's name and other fields.
	Name     string         `json:"name"`
	FileName string         `json:"fileName"`
	FormData map[string]any `json:"formData"`
}

// ProxyAnswer is the server's answer as wx.request's success callback
// receives it (data still encoded; the runtime parses JSON per dataType).
type ProxyAnswer struct {
	StatusCode int               `json:"statusCode"`
	Header     map[string]string `json:"header"`
	Data       string            `json:"data"`
	// Encoding is "text" or "base64".
	Encoding string   `json:"encoding"`
	Cookies  []string `json:"cookies"`
}

// failure is a wx-level failure: its message is the errMsg the mini
// program receives ("request:fail url not in domain list").
func failure(status int, api, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: "wx_fail", Message: api + ":fail " + fmt.Sprintf(format, args...)}
}

func (h *Handler) request(w http.ResponseWriter, r *http.Request, u *identity.User, appid string) (any, error) {
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		return nil, err
	}
	var call ProxyCall
	if err := decodeBody(r, &call, maxProxyBody); err != nil {
		return nil, err
	}
	api, kind := call.API, DomainRequest
	switch api {
	case "", "request":
		api = "request"
	case "uploadFile":
		kind = DomainUpload
	case "downloadFile":
		kind = DomainDownload
	default:
		return nil, apiErrorf(http.StatusBadRequest, "invalid_input", "api must be request, uploadFile or downloadFile.")
	}
	if !h.proxy.calls.Open(u.ID) {
		return nil, failure(http.StatusTooManyRequests, api, "exceed max task count: at most %d requests, uploads and downloads at a time", MaxCallsPerUser)
	}
	defer h.proxy.calls.Close(u.ID)
	timeout := DefaultNetworkTimeout
	if call.Timeout > 0 && time.Duration(call.Timeout)*time.Millisecond < timeout {
		timeout = time.Duration(call.Timeout) * time.Millisecond
	}
	// The server's write timeout is about as long as a call may take.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + 15*time.Second))

	target, err := h.checkURL(r.Context(), appid, api, kind, call.URL)
	if err != nil {
		return nil, err
	}
	body, contentType, err := call.body(api)
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(call.Method)
	switch {
	case api == "uploadFile":
		method = http.MethodPost
	case api == "downloadFile", method == "":
		method = http.MethodGet
	}
	switch method {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH":
	default:
		return nil, failure(http.StatusBadRequest, api, "invalid method %q", call.Method)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, failure(http.StatusBadRequest, api, "invalid url")
	}
	for name, v := range call.Header {
		ck := http.CanonicalHeaderKey(strings.TrimSpace(name))
		if wxhttp.Forbidden(ck) {
			continue
		}
		out.Header.Set(ck, wxhttp.Value(v))
	}
	if contentType != "" {
		out.Header.Set("Content-Type", contentType)
	} else if api == "request" && out.Header.Get("Content-Type") == "" && method != "GET" && method != "HEAD" {
		out.Header.Set("Content-Type", "application/json")
	}
	out.Header.Set("Referer", wxhttp.Referer(appid))
	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", wxhttp.UserAgent)
	}

	hops := 0
	client := &http.Client{
		Transport: h.proxy.transport(),
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if hops++; hops > maxRedirects {
				return failure(http.StatusBadGateway, api, "too many redirects")
			}
			if _, err := h.checkURL(next.Context(), appid, api, kind, next.URL.String()); err != nil {
				return err
			}
			return nil
		},
	}
	resp, err := client.Do(out)
	if err != nil {
		return nil, transportFailure(api, err, ctx)
	}
	defer resp.Body.Close()
	limit := int64(MaxRequestResponse)
	if api == "downloadFile" {
		limit = MaxDownload
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, transportFailure(api, err, ctx)
	}
	if int64(len(data)) > limit {
		return nil, failure(http.StatusBadGateway, api, "the response is larger than %d bytes", limit)
	}
	ans := ProxyAnswer{StatusCode: resp.StatusCode, Header: map[string]string{}, Cookies: resp.Header.Values("Set-Cookie")}
	if ans.Cookies == nil {
		ans.Cookies = []string{}
	}
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ans.Header[k] = strings.Join(resp.Header[k], ", ")
	}
	if api == "request" && call.ResponseType != "arraybuffer" && utf8.Valid(data) {
		ans.Data, ans.Encoding = string(data), "text"
	} else {
		ans.Data, ans.Encoding = base64.StdEncoding.EncodeToString(data), "base64"
	}
	return ans, nil
}

// body is the outgoing body and its content type ("" keeps the caller's).
func (c *ProxyCall) body(api string) ([]byte, string, error) {
	raw := []byte(c.Data)
	if c.DataEncoding == "base64" {
		b, err := base64.StdEncoding.DecodeString(c.Data)
		if err != nil {
			return nil, "", failure(http.StatusBadRequest, api, "data is not valid base64")
		}
		raw = b
	}
	if api != "uploadFile" {
		if api == "downloadFile" {
			return nil, "", nil
		}
		return raw, "", nil
	}
	if c.Name == "" {
		return nil, "", failure(http.StatusBadRequest, api, "parameter.name should be String instead of Undefined;")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(c.FormData))
	for k := range c.FormData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		mw.WriteField(k, wxhttp.Value(c.FormData[k]))
	}
	name := c.FileName
	if name == "" {
		name = "file"
	}
	fw, err := mw.CreateFormFile(c.Name, name)
	if err != nil {
		return nil, "", err
	}
	fw.Write(raw)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// checkURL parses raw and checks its scheme, its domain against the app's
// list and its addresses, answering WeChat's errMsg wording.
func (h *Handler) checkURL(ctx context.Context, appid, api string, kind DomainKind, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, failure(http.StatusBadRequest, api, "invalid url")
	}
	if u.User != nil {
		return nil, failure(http.StatusBadRequest, api, "invalid url")
	}
	if !h.cfg.Dev {
		if u.Scheme != "https" {
			return nil, failure(http.StatusBadRequest, api, "url not in domain list")
		}
		d, err := h.cfg.Registry.Domains(ctx, appid)
		if err != nil {
			return nil, err
		}
		if !d.allows(kind, u) {
			return nil, failure(http.StatusBadRequest, api, "url not in domain list")
		}
	}
	bad, why, err := h.proxy.resolve(ctx, u.Hostname())
	if err != nil {
		return nil, failure(http.StatusBadGateway, api, "cannot resolve %s", u.Hostname())
	}
	if why != "" {
		return nil, failure(http.StatusForbidden, api, "%s resolves to %s (%s), which mini programs may not reach", u.Hostname(), bad, why)
	}
	return u, nil
}

// transportFailure words a failed call as WeChat does.
func transportFailure(api string, err error, ctx context.Context) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae // a refused redirect
	}
	if errors.Is(err, netguard.ErrRefusedAddress) {
		return failure(http.StatusForbidden, api, "the address is not allowed: %v", refusedDetail(err))
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return failure(http.StatusGatewayTimeout, api, "timeout")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return failure(http.StatusBadGateway, api, "%v", err)
}

// refusedDetail is the guard's own words ("refused address: 127.0.0.1 is a
// loopback address") without the transport's wrapping.
func refusedDetail(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, netguard.ErrRefusedAddress.Error()); i >= 0 {
		return msg[i:]
	}
	return msg
}
