package shell

import (
	"net/url"
	"testing"
)

func TestRedirectURL(t *testing.T) {
	for _, tc := range []struct {
		redirect, code, state, want string
	}{
		{"https://h5.example.com/cb", "C1", "abc", "https://h5.example.com/cb?code=C1&state=abc"},
		{"https://h5.example.com/cb?x=1&y=a%20b", "C1", "abc", "https://h5.example.com/cb?x=1&y=a%20b&code=C1&state=abc"},
		{"https://h5.example.com/cb?x=1#/spa/route", "C1", "abc", "https://h5.example.com/cb?x=1&code=C1&state=abc"},
		{"https://h5.example.com/cb#frag", "", "abc", "https://h5.example.com/cb?state=abc"},
		{"https://h5.example.com/cb?x=1", "", "", "https://h5.example.com/cb?x=1&state="},
		{"http://127.0.0.1:8080/", "a-b_c", "s t&u", "http://127.0.0.1:8080/?code=a-b_c&state=s+t%26u"},
		{"https://h5.example.com/cb?", "C1", "abc", "https://h5.example.com/cb?code=C1&state=abc"},
	} {
		u, err := url.Parse(tc.redirect)
		if err != nil {
			t.Fatal(err)
		}
		if got := redirectURL(u, tc.code, tc.state); got != tc.want {
			t.Errorf("redirectURL(%q, %q, %q) = %q, want %q", tc.redirect, tc.code, tc.state, got, tc.want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	for _, tc := range []struct{ scheme, in, want string }{
		{"https", "H5.Example.com", "h5.example.com"},
		{"https", "h5.example.com:443", "h5.example.com"},
		{"http", "h5.example.com:80", "h5.example.com"},
		{"http", "h5.example.com:443", "h5.example.com:443"},
		{"http", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"http", "[::1]:80", "[::1]"},
	} {
		if got := normalizeHost(tc.scheme, tc.in); got != tc.want {
			t.Errorf("normalizeHost(%q, %q) = %q, want %q", tc.scheme, tc.in, got, tc.want)
		}
	}
}
