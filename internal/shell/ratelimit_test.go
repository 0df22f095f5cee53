package shell_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"superapp/internal/shell"
	"superapp/internal/testserver"
)

// clock is a settable time for the shell's rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// direct calls a shell of ts's platform in-process, so each request can
// come from any client address, with the limits on clk.
type direct struct {
	t   *testing.T
	h   http.Handler
	sh  *shell.Shell
	clk *clock
}

func newDirect(t *testing.T, ts *testserver.Server) *direct {
	sh := shell.New(ts.Server.P)
	clk := &clock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	shell.SetClock(sh, clk.now)
	mux := http.NewServeMux()
	sh.Register(mux)
	return &direct{t: t, h: mux, sh: sh, clk: clk}
}

// post sends body as JSON from the client address ip and returns the
// status, the error code ("" on success) and the response.
func (d *direct) post(ip, path string, body any) (int, string, *httptest.ResponseRecorder) {
	d.t.Helper()
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", path, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = ip + ":40000"
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	var m struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		d.t.Fatalf("POST %s: %d, not JSON: %q", path, rec.Code, rec.Body)
	}
	return rec.Code, m.Error.Code, rec
}

func (d *direct) signIn(ip, phone, password string) (int, string, *httptest.ResponseRecorder) {
	d.t.Helper()
	return d.post(ip, "/shell/api/signin", map[string]string{"phone": phone, "password": password})
}

// want checks status and code.
func (d *direct) want(what string, status int, code string, gotStatus int, gotCode string) {
	d.t.Helper()
	if gotStatus != status || gotCode != code {
		d.t.Fatalf("%s: got %d %q, want %d %q", what, gotStatus, gotCode, status, code)
	}
}

// checkRateLimited checks a 429 answer: the error format and a Retry-After
// of retry seconds, which the message repeats.
func checkRateLimited(t *testing.T, rec *httptest.ResponseRecorder, retry int) {
	t.Helper()
	var m map[string]map[string]any
	json.Unmarshal(rec.Body.Bytes(), &m)
	e := m["error"]
	want := fmt.Sprintf("Too many attempts. Try again in %d seconds.", retry)
	if rec.Code != 429 || e["code"] != "rate_limited" || e["message"] != want || str(e["field"]) != "" {
		t.Fatalf("got %d %s; want 429 rate_limited %q", rec.Code, rec.Body, want)
	}
	if got := rec.Header().Get("Retry-After"); got != fmt.Sprint(retry) {
		t.Fatalf("Retry-After %q, want %d", got, retry)
	}
}

func TestSignInLimitPerAddress(t *testing.T) {
	ts := testserver.New(t)
	d := newDirect(t, ts)
	ts.CreateUser(t, "Dora", "13800138000")
	// Ten attempts a minute, on different phone numbers so only the
	// address's limit applies.
	for i := range 10 {
		st, code, _ := d.signIn("203.0.113.1", fmt.Sprintf("1390000%04d", i), "password123")
		d.want(fmt.Sprintf("attempt %d", i+1), 401, "bad_credentials", st, code)
	}
	_, _, rec := d.signIn("203.0.113.1", "13900009999", "password123")
	checkRateLimited(t, rec, 6) // a token comes back every 6 s
	// Even the right password waits.
	_, _, rec = d.signIn("203.0.113.1", "13800138000", "password123")
	checkRateLimited(t, rec, 6)
	// Other addresses are not affected.
	st, code, _ := d.signIn("203.0.113.2", "13800138000", "password123")
	d.want("other address", 200, "", st, code)

	// The bucket refills with time: one attempt every 6 s, ten after a minute.
	d.clk.add(4 * time.Second)
	_, _, rec = d.signIn("203.0.113.1", "13800138000", "password123")
	checkRateLimited(t, rec, 2)
	d.clk.add(2 * time.Second)
	st, code, _ = d.signIn("203.0.113.1", "13800138000", "password123")
	d.want("after 6 s", 200, "", st, code)
	st, code, _ = d.signIn("203.0.113.1", "13800138000", "password123")
	d.want("second attempt after 6 s", 429, "rate_limited", st, code)
	d.clk.add(time.Minute)
	for i := range 10 {
		st, code, _ := d.signIn("203.0.113.1", "13800138000", "password123")
		d.want(fmt.Sprintf("after a minute, attempt %d", i+1), 200, "", st, code)
	}
	st, code, _ = d.signIn("203.0.113.1", "13800138000", "password123")
	d.want("after a minute, attempt 11", 429, "rate_limited", st, code)
}

func TestSignInLimitPerPhone(t *testing.T) {
	ts := testserver.New(t)
	d := newDirect(t, ts)
	ts.CreateUser(t, "Erin", "13800138000")
	ts.CreateUser(t, "Finn", "13800138001")
	ip := 0
	from := func() string { ip++; return fmt.Sprintf("198.51.100.%d", ip) } // a new address each time

	for i := range 5 {
		st, code, _ := d.signIn(from(), "13800138000", "wrong password")
		d.want(fmt.Sprintf("wrong password %d", i+1), 401, "bad_credentials", st, code)
	}
	_, _, rec := d.signIn(from(), "13800138000", "wrong password")
	checkRateLimited(t, rec, 180) // one failure is forgiven every 3 minutes
	_, _, rec = d.signIn(from(), "13800138000", "password123")
	checkRateLimited(t, rec, 180)
	// Other phones are not affected, nor is registering.
	st, code, _ := d.signIn(from(), "13800138001", "password123")
	d.want("other phone", 200, "", st, code)

	d.clk.add(3 * time.Minute)
	st, code, _ = d.signIn(from(), "13800138000", "password123")
	d.want("right password 3 minutes later", 200, "", st, code)
}

func TestSignInSuccessResetsPhoneLimit(t *testing.T) {
	ts := testserver.New(t)
	d := newDirect(t, ts)
	ts.CreateUser(t, "Gus", "13800138000")
	ip := 0
	from := func() string { ip++; return fmt.Sprintf("198.51.100.%d", ip) }

	for i := range 4 {
		st, code, _ := d.signIn(from(), "13800138000", "wrong password")
		d.want(fmt.Sprintf("wrong password %d", i+1), 401, "bad_credentials", st, code)
	}
	st, code, _ := d.signIn(from(), "13800138000", "password123")
	d.want("right password", 200, "", st, code)
	// The success forgave the four failures: five more are allowed.
	for i := range 5 {
		st, code, _ := d.signIn(from(), "13800138000", "wrong password")
		d.want(fmt.Sprintf("after success, wrong password %d", i+1), 401, "bad_credentials", st, code)
	}
	st, code, _ = d.signIn(from(), "13800138000", "wrong password")
	d.want("after success, wrong password 6", 429, "rate_limited", st, code)
}

func TestRegisterLimitPerAddress(t *testing.T) {
	ts := testserver.New(t)
	d := newDirect(t, ts)
	reg := func(ip, phone, password string) (int, string, *httptest.ResponseRecorder) {
		return d.post(ip, "/shell/api/register", map[string]string{"phone": phone, "password": password, "name": "Hal"})
	}
	// Input refused before hashing does not count: typos are free.
	for i := range 10 {
		st, code, _ := reg("203.0.113.1", fmt.Sprintf("1370000%04d", i), "short")
		d.want(fmt.Sprintf("short password %d", i+1), 400, "invalid_input", st, code)
	}
	for i := range 5 {
		st, code, _ := reg("203.0.113.1", fmt.Sprintf("1380000%04d", i), "password123")
		d.want(fmt.Sprintf("registration %d", i+1), 200, "", st, code)
	}
	_, _, rec := reg("203.0.113.1", "13800009999", "password123")
	checkRateLimited(t, rec, 12)
	st, code, _ := reg("203.0.113.2", "13800009999", "password123")
	d.want("other address", 200, "", st, code)
	// A taken phone number was hashed, so it counts.
	d.clk.add(12 * time.Second)
	st, code, _ = reg("203.0.113.1", "13800009999", "password123")
	d.want("taken phone", 409, "phone_taken", st, code)
	st, code, _ = reg("203.0.113.1", "13800008888", "password123")
	d.want("after a taken phone", 429, "rate_limited", st, code)
}

func TestHashingBusy(t *testing.T) {
	ts := testserver.New(t)
	d := newDirect(t, ts)
	ts.CreateUser(t, "Ivy", "13800138000")
	release := shell.HoldHashing(d.sh, 50*time.Millisecond)
	for i := range 6 { // more than the phone's five: waiting is not a failed attempt
		start := time.Now()
		st, code, rec := d.signIn("203.0.113.1", "13800138000", "wrong password")
		d.want(fmt.Sprintf("sign-in %d while busy", i+1), 503, "busy", st, code)
		if time.Since(start) < 50*time.Millisecond || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("busy answer after %v, Retry-After %q", time.Since(start), rec.Header().Get("Retry-After"))
		}
	}
	st, code, _ := d.post("203.0.113.2", "/shell/api/register", map[string]string{"phone": "13800138009", "password": "password123", "name": "Jo"})
	d.want("register while busy", 503, "busy", st, code)
	release()
	st, code, _ = d.signIn("203.0.113.3", "13800138000", "password123")
	d.want("sign-in after release", 200, "", st, code)
}

// TestRejectsUnstorableText: NUL cannot be stored by PostgreSQL; the shell
// refuses it, naming the field, before any query (run with
// SUPERAPP_TEST_POSTGRES set to check PostgreSQL).
func TestRejectsUnstorableText(t *testing.T) {
	ts := testserver.New(t)
	b, _ := signedIn(t, ts, "13800138000", "Kim")
	other := newBrowser(t, ts.URL, nil)
	for _, tc := range []struct {
		path  string
		body  map[string]string
		field string
	}{
		{"/shell/api/signin", map[string]string{"phone": "13800138000\x00", "password": "password1"}, "phone"},
		{"/shell/api/signin", map[string]string{"phone": "\x00", "password": "password1"}, "phone"},
		{"/shell/api/signin", map[string]string{"phone": "13800138000", "password": "pass\x00word1"}, "password"},
		{"/shell/api/register", map[string]string{"phone": "1380013\x008001", "password": "password1", "name": "N"}, "phone"},
		{"/shell/api/register", map[string]string{"phone": "13800138001", "password": "password1\x00", "name": "N"}, "password"},
		{"/shell/api/register", map[string]string{"phone": "13800138001", "password": "password1", "name": "N\x00"}, "name"},
	} {
		other.fails("POST", tc.path, tc.body, 400, "invalid_input", tc.field)
	}
	for _, f := range []string{"name", "avatar_url", "country", "province", "city"} {
		b.fails("PATCH", "/shell/api/me", map[string]string{f: "x\x00"}, 400, "invalid_input", f)
	}
	// The account is untouched and still signs in.
	other.ok("POST", "/shell/api/signin", map[string]string{"phone": "13800138000", "password": "password1"})
}
