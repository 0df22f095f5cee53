package host

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"superapp/internal/store"
)

// DomainKind is which wx.* APIs a domain list entry serves.
type DomainKind string

// The kinds of WeChat's "服务器域名" (server domain) settings.
const (
	DomainRequest  DomainKind = "request"
	DomainSocket   DomainKind = "socket"
	DomainUpload   DomainKind = "upload"
	DomainDownload DomainKind = "download"
)

// DomainKinds lists every kind.
var DomainKinds = []DomainKind{DomainRequest, DomainSocket, DomainUpload, DomainDownload}

// MaxDomainsPerKind is WeChat's limit on each list.
const MaxDomainsPerKind = 200

// scheme is the only scheme a kind's domains are reached over outside dev mode.
func (k DomainKind) scheme() string {
	if k == DomainSocket {
		return "wss"
	}
	return "https"
}

// Domains are a mini program's server domains by kind. Each entry is a host
// name, with ":port" when one was configured: WeChat then allows exactly
// that port, and without one only the scheme's default port written
// without a port.
type Domains map[DomainKind][]string

// ParseDomain normalises one entry as an operator writes it
// ("https://api.example.com", "api.example.com:8443") for kind.
func ParseDomain(kind DomainKind, entry string) (string, error) {
	entry = strings.TrimSpace(entry)
	raw := entry
	if !strings.Contains(raw, "://") {
		raw = kind.scheme() + "://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not a domain (write it as %s://host or %s://host:port)", entry, kind.scheme(), kind.scheme())
	}
	if u.Scheme != kind.scheme() {
		return "", fmt.Errorf("%q: %s domains must use %s://", entry, kind, kind.scheme())
	}
	host := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(host); err == nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "", fmt.Errorf("%q: an IP address or localhost cannot be a server domain", entry)
	}
	if !strings.Contains(host, ".") || strings.ContainsAny(host, "*/ ") {
		return "", fmt.Errorf("%q is not a domain name", entry)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q: port %s is not valid", entry, p)
		}
		return net.JoinHostPort(host, p), nil
	}
	return host, nil
}

// SetDomains replaces the mini program's lists of the kinds given in d;
// kinds absent from d keep their entries.
func (r *Registry) SetDomains(ctx context.Context, appid string, d Domains) (Domains, error) {
	if _, err := r.MiniProgram(ctx, appid); err != nil {
		return nil, err
	}
	clean := Domains{}
	for kind, list := range d {
		valid := false
		for _, k := range DomainKinds {
			valid = valid || k == kind
		}
		if !valid {
			return nil, &InvalidError{string(kind), "is not a domain kind (request, socket, upload, download)"}
		}
		seen := map[string]bool{}
		out := []string{}
		for _, e := range list {
			if strings.TrimSpace(e) == "" {
				continue
			}
			n, err := ParseDomain(kind, e)
			if err != nil {
				return nil, &InvalidError{string(kind), err.Error()}
			}
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		if len(out) > MaxDomainsPerKind {
			return nil, &InvalidError{string(kind), fmt.Sprintf("has %d domains; WeChat allows at most %d", len(out), MaxDomainsPerKind)}
		}
		clean[kind] = out
	}
	err := r.db.InTx(ctx, func(tx *store.Tx) error {
		// Two replacements at once would both delete, then both insert
		// (a duplicate key on PostgreSQL): one waits for the other.
		if err := tx.Lock(ctx, "mp_domains:"+appid); err != nil {
			return err
		}
		for kind, list := range clean {
			if _, err := tx.Exec(ctx, "DELETE FROM mp_domains WHERE appid = ? AND kind = ?", appid, string(kind)); err != nil {
				return err
			}
			for _, dom := range list {
				if _, err := tx.Exec(ctx, "INSERT INTO mp_domains(appid, kind, domain) VALUES (?, ?, ?)", appid, string(kind), dom); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r.Domains(ctx, appid)
}

// Domains returns the mini program's server domains, every kind present.
func (r *Registry) Domains(ctx context.Context, appid string) (Domains, error) {
	out := Domains{}
	for _, k := range DomainKinds {
		out[k] = []string{}
	}
	rows, err := r.db.Query(ctx, "SELECT kind, domain FROM mp_domains WHERE appid = ?", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, dom string
		if err := rows.Scan(&kind, &dom); err != nil {
			return nil, err
		}
		out[DomainKind(kind)] = append(out[DomainKind(kind)], dom)
	}
	for _, list := range out {
		sort.Strings(list)
	}
	return out, rows.Err()
}

// allows reports whether u (already parsed, scheme checked) is inside the list.
func (d Domains) allows(kind DomainKind, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	want := host
	if p := u.Port(); p != "" {
		want = net.JoinHostPort(host, p)
	}
	for _, e := range d[kind] {
		if e == want {
			return true
		}
	}
	return false
}
