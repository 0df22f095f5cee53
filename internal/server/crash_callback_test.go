package server_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
	"superapp/internal/store"
	"superapp/internal/wxcrypto"
)

// crashWorld is the data a killed and restarted superapp works on.
type crashWorld struct {
	t      *testing.T
	opts   platform.Options
	appid  string
	users  []string
	token  string
	aesKey string
}

// withPlatform opens the database while no server runs (the binary owns it
// otherwise) and runs fn on the domain.
func (w *crashWorld) withPlatform(fn func(p *platform.Platform)) {
	w.t.Helper()
	p, err := platform.Open(context.Background(), w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	defer p.Close()
	fn(p)
}

// send has every user send n messages (each one push) and returns the
// pushes' dedup keys.
func (w *crashWorld) send(n int, round string) []string {
	w.t.Helper()
	var keys []string
	w.withPlatform(func(p *platform.Platform) {
		for i := range n {
			for _, u := range w.users {
				res, err := p.OA.Send(context.Background(), w.appid, u, officialaccount.UserMessage{Text: fmt.Sprintf("%s message %d", round, i)})
				if err != nil || res.CallbackID == 0 {
					w.t.Fatalf("send: %v (callback %v)", err, res)
				}
				keys = append(keys, strconv.FormatInt(res.MessageID, 10))
			}
		}
	})
	return keys
}

// A superapp killed with SIGKILL while pushes are in flight delivers every
// push after a restart on the same data — at least once, with the dedup key
// (MsgId) and payload it was enqueued with, and nothing else.
func TestCallbacksSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the superapp binary")
	}
	// A short attempt timeout keeps the PostgreSQL lease (4 × timeout + 5 s)
	// short: there the restarted server takes over by lease expiry.
	bin, opts, addr, args := childSetup(t, `{"official_accounts":{"callbacks":{"timeout_ms":1000}}}`)
	w := &crashWorld{t: t, opts: opts, token: "crashTok3n", aesKey: "Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFg"}

	// The developer server: safe mode, checked and decrypted; slow, so the
	// kill lands while pushes are in flight.
	var mu sync.Mutex
	payloads := map[string][]string{} // MsgId → every payload received
	received := 0
	var env *wxcrypto.Envelope
	dev := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		body, _ := io.ReadAll(r.Body)
		var outer struct{ Encrypt string }
		xml.Unmarshal(body, &outer)
		if q.Get("signature") != wxcrypto.Signature(w.token, q.Get("timestamp"), q.Get("nonce")) ||
			q.Get("msg_signature") != wxcrypto.Signature(w.token, q.Get("timestamp"), q.Get("nonce"), outer.Encrypt) {
			http.Error(rw, "bad signature", http.StatusForbidden)
			return
		}
		plain, err := env.Open(outer.Encrypt)
		var doc struct {
			MsgID string `xml:"MsgId"`
		}
		if err != nil || xml.Unmarshal(plain, &doc) != nil || doc.MsgID == "" {
			http.Error(rw, "bad push", http.StatusBadRequest)
			return
		}
		mu.Lock()
		payloads[doc.MsgID] = append(payloads[doc.MsgID], string(plain))
		received++
		mu.Unlock()
		time.Sleep(200 * time.Millisecond)
		io.WriteString(rw, "success")
	}))
	defer dev.Close()
	count := func() int { mu.Lock(); defer mu.Unlock(); return received }

	// An official account, 20 followers and its developer server.
	w.withPlatform(func(p *platform.Platform) {
		ctx := context.Background()
		app, _, err := p.Accounts.CreateApp(ctx, account.ServiceAccount, "Crash News", "")
		if err != nil {
			t.Fatal(err)
		}
		w.appid = app.AppID
		if env, err = wxcrypto.NewEnvelope(w.aesKey, app.AppID); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			u, err := p.Identity.CreateUser(ctx, identity.NewUser{Name: fmt.Sprintf("reader%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.OA.Follow(ctx, app.AppID, u.ID, "", nil); err != nil {
				t.Fatal(err)
			}
			w.users = append(w.users, u.ID)
		}
		if _, err := p.DB.Exec(ctx, `INSERT INTO oa_callback_configs(appid, url, token, aes_key, mode, verified_at, updated_at)
			VALUES (?, ?, ?, ?, 'safe', 1, 1)`, app.AppID, dev.URL+"/wechat", w.token, w.aesKey); err != nil {
			t.Fatal(err)
		}
	})
	enqueued := w.send(10, "first")

	first := startChild(t, bin, args...)
	first.waitHealthy(t, addr)
	deadline := time.Now().Add(15 * time.Second)
	for count() < 80 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d pushes arrived:\n%s", count(), first.out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	first.cmd.Process.Signal(syscall.SIGKILL)
	<-first.done

	var unfinished int
	w.withPlatform(func(p *platform.Platform) {
		p.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM oa_callbacks WHERE state <> 'done'").Scan(&unfinished)
	})
	if unfinished == 0 {
		t.Fatal("every push was settled before the kill: the test did not interrupt delivery")
	}
	t.Logf("killed with %d of %d pushes unsettled, %d requests received", unfinished, len(enqueued), count())
	// More pushes while the server is down.
	enqueued = append(enqueued, w.send(5, "second")...)

	second := startChild(t, bin, args...)
	second.waitHealthy(t, addr)
	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, k := range enqueued {
			if len(payloads[k]) == 0 {
				out = append(out, k)
			}
		}
		return out
	}
	deadline = time.Now().Add(25 * time.Second)
	for len(missing()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d pushes never delivered after the restart, e.g. %v\n%s", len(missing()), missing()[:1], second.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every push is settled as delivered (the database is shared with the
	// running server: WAL on SQLite, or PostgreSQL).
	db, err := store.Open(context.Background(), opts.Store)
	if err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		var notDone int
		if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM oa_callbacks WHERE state <> 'done'").Scan(&notDone); err != nil {
			t.Fatal(err)
		}
		if notDone == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pushes not settled as delivered after the restart\n%s", notDone, second.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	db.Close()
	second.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-second.done; err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, second.out.String())
	}

	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{}
	for _, k := range enqueued {
		want[k] = true
	}
	dups := 0
	for k, ps := range payloads {
		if !want[k] {
			t.Fatalf("a push with MsgId %s that was never enqueued", k)
		}
		for _, p := range ps[1:] {
			if p != ps[0] {
				t.Fatalf("MsgId %s was delivered with different payloads:\n%s\n%s", k, ps[0], p)
			}
		}
		dups += len(ps) - 1
	}
	t.Logf("%d pushes, %d redelivered after the crash", len(enqueued), dups)
	for _, secret := range []string{w.token, w.aesKey} {
		if strings.Contains(first.out.String()+second.out.String(), secret) {
			t.Fatal("the server logged a callback secret")
		}
	}
}
