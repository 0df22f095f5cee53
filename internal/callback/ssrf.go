package callback

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"superapp/internal/input"
	"superapp/internal/netguard"
)

// Callback targets are operator-configured URLs the platform then calls on
// its own: without a check, an account could aim them at the platform's
// network (metadata services, databases, admin ports). The URL's host is
// resolved and checked when it is set, and every connection is checked
// again at dial time, so a name that later resolves elsewhere (DNS
// rebinding) cannot reach a refused address either.

// parseTarget checks a callback URL's form: absolute http(s), a host, no
// credentials.
func parseTarget(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, input.Errorf("url", "is required")
	}
	if len(raw) > maxURL {
		return nil, input.Errorf("url", fmt.Sprintf("must be at most %d characters", maxURL))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, input.Errorf("url", "must be an absolute http:// or https:// URL")
	}
	if u.User != nil {
		return nil, input.Errorf("url", "must not carry credentials (user:password@)")
	}
	if u.Fragment != "" {
		return nil, input.Errorf("url", "must not have a #fragment")
	}
	for _, c := range []byte(u.Host) {
		if c >= utf8.RuneSelf {
			// Pushes name the host as given (Host header, DNS).
			return nil, input.Errorf("url", "must name its host in ASCII (an internationalized name in its xn-- form)")
		}
	}
	return u, nil
}

// maxURL is our limit on a callback URL's length (WeChat's console takes
// well under this).
const maxURL = 1024

// checkTarget resolves u's host and refuses non-public addresses unless
// allowPrivate.
func checkTarget(ctx context.Context, u *url.URL, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	ip, why, err := netguard.Resolve(ctx, host)
	if err != nil {
		return input.Errorf("url", fmt.Sprintf("the host %q does not resolve", host))
	}
	if why != "" {
		return input.Errorf("url", fmt.Sprintf("the host %q resolves to %s, %s; callbacks to loopback, private and other non-public addresses are refused unless the operator allows them (policy official_accounts.callbacks.allow_private; allowed by default only in dev mode)", host, ip, why))
	}
	return nil
}

// newClient is the HTTP client of URL verification (pushes go through
// sender): its own connection pool, no proxy from the environment, no
// redirects (a redirect could point anywhere), and the dial-time SSRF
// guard.
func newClient(opts Options) *http.Client {
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, Control: netguard.DialControl(opts.AllowPrivate)}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
