package proxy

import (
	"crypto/tls"
	"net/http"
	"testing"
)

func TestClientIPAndHTTPS(t *testing.T) {
	r, _ := http.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:5555"
	r.Header.Add("X-Forwarded-For", "203.0.113.9, 198.51.100.4")
	r.Header.Add("X-Forwarded-Proto", "https")
	if got := Trust(false).ClientIP(r).String(); got != "10.0.0.2" {
		t.Errorf("untrusted: %s, want the TCP peer", got)
	}
	if got := Trust(true).ClientIP(r).String(); got != "198.51.100.4" {
		t.Errorf("trusted: %s, want the entry the proxy appended", got)
	}
	r.Header.Add("X-Forwarded-For", "192.0.2.1")
	if got := Trust(true).ClientIP(r).String(); got != "192.0.2.1" {
		t.Errorf("two header lines: %s, want the last line's entry", got)
	}
	if Trust(false).HTTPS(r) || !Trust(true).HTTPS(r) {
		t.Error("X-Forwarded-Proto must count only behind a trusted proxy")
	}
	r.Header.Set("X-Forwarded-Proto", "http")
	if Trust(true).HTTPS(r) {
		t.Error("X-Forwarded-Proto http counted as HTTPS")
	}
	r.TLS = &tls.ConnectionState{}
	if !Trust(false).HTTPS(r) {
		t.Error("a TLS connection is HTTPS")
	}
	r.RemoteAddr = "[::ffff:10.0.0.3]:1"
	if got := Trust(false).ClientIP(r).String(); got != "10.0.0.3" {
		t.Errorf("mapped address: %s", got)
	}
}
