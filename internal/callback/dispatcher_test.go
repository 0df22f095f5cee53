package callback

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

// The tests check the wire format with their own computations of WeChat's
// signature and envelope, not with internal/wxcrypto.

func refSignature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

func refKey(t testing.TB, encodingAESKey string) []byte {
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(k) != 32 {
		t.Fatalf("bad test key %q", encodingAESKey)
	}
	return k
}

// refOpen decrypts an Encrypt value: AES-256-CBC, IV = key[:16], PKCS#7 to
// 32 bytes, random(16) ‖ len ‖ msg ‖ appid.
func refOpen(t testing.TB, encodingAESKey, encrypted string) (msg []byte, appid string) {
	key := refKey(t, encodingAESKey)
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(ct)%32 != 0 {
		t.Fatalf("Encrypt is not base64 of whole 32-byte blocks: %v (%d bytes)", err, len(ct))
	}
	block, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > 32 {
		t.Fatalf("padding byte %d", pad)
	}
	pt = pt[:len(pt)-pad]
	n := binary.BigEndian.Uint32(pt[16:20])
	return pt[20 : 20+n], string(pt[20+n:])
}

func refSeal(t testing.TB, encodingAESKey, appid string, msg []byte) string {
	key := refKey(t, encodingAESKey)
	pt := make([]byte, 16, 20+len(msg)+len(appid)+32)
	rand.Read(pt)
	pt = binary.BigEndian.AppendUint32(pt, uint32(len(msg)))
	pt = append(pt, msg...)
	pt = append(pt, appid...)
	pad := 32 - len(pt)%32
	pt = append(pt, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct)
}

// claim takes up to limit due pushes in a transaction of its own, as a
// dispatcher that then crashes would.
func (d *Dispatcher) claim(ctx context.Context, limit int) ([]*task, error) {
	var out []*task
	err := d.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = d.claimTx(ctx, tx, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.hold(out)
	d.loadConfigs(ctx, out)
	return out, nil
}

// recordingSink remembers what the dispatcher settled.
type recordingSink struct {
	mu      sync.Mutex
	replied []Job
	failed  []Job
	settled []Job
}

func (s *recordingSink) Replied(ctx context.Context, tx *store.Tx, job Job, reply *Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	job.Reply = reply
	s.replied = append(s.replied, job)
	return nil
}

func (s *recordingSink) Failed(ctx context.Context, tx *store.Tx, job Job, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	job.Reason = reason
	s.failed = append(s.failed, job)
	return nil
}

func (s *recordingSink) Settled(jobs []Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settled = append(s.settled, jobs...)
}

func (s *recordingSink) counts() (replied, failed, settled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.replied), len(s.failed), len(s.settled)
}

// push is one request the developer server received.
type push struct {
	method string
	query  url.Values
	ctype  string
	body   []byte
}

// devServer is a developer server whose answers the test decides.
type devServer struct {
	*httptest.Server
	mu     sync.Mutex
	pushes []push
	answer func(p push) (status int, body string)
}

func newDevServer(t *testing.T, answer func(p push) (int, string)) *devServer {
	d := &devServer{answer: answer}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Has("echostr") {
			io.WriteString(w, r.URL.Query().Get("echostr"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		p := push{r.Method, r.URL.Query(), r.Header.Get("Content-Type"), body}
		d.mu.Lock()
		d.pushes = append(d.pushes, p)
		d.mu.Unlock()
		status, answer := d.answer(p)
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *devServer) received() []push {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]push(nil), d.pushes...)
}

type fixture struct {
	db    *store.DB
	app   *account.App
	sink  *recordingSink
	d     *Dispatcher
	token string
	key   string
}

const testKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	db := storetest.Open(t)
	app, _, err := account.NewService(db, account.DefaultPolicy()).CreateApp(context.Background(), account.ServiceAccount, "Shop", "")
	if err != nil {
		t.Fatal(err)
	}
	sink := &recordingSink{}
	return &fixture{db: db, app: app, sink: sink, d: NewDispatcher(db, sink, opts), token: "Tok3n", key: testKey}
}

// run starts the dispatcher until the test ends.
func (f *fixture) run(t *testing.T, d *Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func (f *fixture) configure(t *testing.T, url, mode string) {
	t.Helper()
	key := f.key
	if mode == ModePlain {
		key = ""
	}
	if _, err := f.d.Configure(context.Background(), f.app.AppID, Settings{URL: url, Token: f.token, EncodingAESKey: key, Mode: mode}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
}

// enqueue writes pushes of a text message from openid (user u) with MsgId
// id, as the domain does.
func (f *fixture) enqueue(t *testing.T, user, openid string, ids ...int64) {
	t.Helper()
	err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
		for _, id := range ids {
			payload := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello %d]]></Content><MsgId>%d</MsgId></xml>",
				f.app.OriginalID, openid, id, id)
			if _, err := Enqueue(context.Background(), tx, Push{AppID: f.app.AppID, UserID: user, DedupKey: strconv.FormatInt(id, 10), XML: payload, MessageID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds (the test's deadline bounds it).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) states(t *testing.T) map[string]int {
	t.Helper()
	rows, err := f.db.Query(context.Background(), "SELECT state, COUNT(*) FROM oa_callbacks GROUP BY state")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		out[s] = n
	}
	return out
}

// Every mode's request is checked against WeChat's rules computed here:
// query signature and msg_signature, openid, content type, body layout,
// and the envelope's content and receiver appid. The server's encrypted
// reply is verified and decrypted.
func TestPushFormatPerMode(t *testing.T) {
	for _, mode := range []string{ModePlain, ModeCompatible, ModeSafe} {
		t.Run(mode, func(t *testing.T) {
			f := newFixture(t, Options{AllowPrivate: true})
			var f2 = f
			srv := newDevServer(t, func(p push) (int, string) {
				// Reply in kind: encrypted in compatible and safe mode.
				plain := "<xml><ToUserName><![CDATA[" + p.query.Get("openid") + "]]></ToUserName><FromUserName><![CDATA[" + f2.app.OriginalID + "]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[echo]]></Content></xml>"
				if mode == ModePlain {
					return 200, plain
				}
				enc := refSeal(t, f2.key, f2.app.AppID, []byte(plain))
				ts, nonce := "1700000001", "n0nce"
				return 200, "<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt><MsgSignature><![CDATA[" + refSignature(f2.token, ts, nonce, enc) + "]]></MsgSignature><TimeStamp>" + ts + "</TimeStamp><Nonce><![CDATA[" + nonce + "]]></Nonce></xml>"
			})
			f.configure(t, srv.URL+"/wx?tenant=7", mode)
			f.run(t, f.d)
			f.enqueue(t, "u_1", "oUser1", 42)
			f.d.Wake()
			waitFor(t, "the reply", func() bool { _, _, settled := f.sink.counts(); return settled == 1 })

			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("%d pushes, want 1", len(got))
			}
			p := got[0]
			q := p.query
			if p.method != "POST" || !strings.HasPrefix(p.ctype, "text/xml") {
				t.Fatalf("push is %s %q", p.method, p.ctype)
			}
			if q.Get("tenant") != "7" || q.Get("openid") != "oUser1" || q.Get("signature") != refSignature(f.token, q.Get("timestamp"), q.Get("nonce")) {
				t.Fatalf("query %v", q)
			}
			var doc struct {
				ToUserName, FromUserName, Content, Encrypt string
				MsgID                                      int64 `xml:"MsgId"`
			}
			if err := xml.Unmarshal(p.body, &doc); err != nil {
				t.Fatalf("body %s: %v", p.body, err)
			}
			switch mode {
			case ModePlain:
				if q.Has("encrypt_type") || q.Has("msg_signature") || doc.Encrypt != "" || doc.Content != "hello 42" || doc.MsgID != 42 {
					t.Fatalf("plain push: query %v body %s", q, p.body)
				}
			default:
				if q.Get("encrypt_type") != "aes" || q.Get("msg_signature") != refSignature(f.token, q.Get("timestamp"), q.Get("nonce"), doc.Encrypt) {
					t.Fatalf("%s push query %v", mode, q)
				}
				msg, appid := refOpen(t, f.key, doc.Encrypt)
				if appid != f.app.AppID || !bytes.Contains(msg, []byte("<MsgId>42</MsgId>")) || !bytes.Contains(msg, []byte("hello 42")) {
					t.Fatalf("envelope holds %q for %q", msg, appid)
				}
				// Compatible mode keeps the plain fields; safe mode only
				// names the account.
				if mode == ModeCompatible && (doc.Content != "hello 42" || doc.MsgID != 42 || doc.FromUserName != "oUser1") {
					t.Fatalf("compatible push body %s", p.body)
				}
				if mode == ModeSafe && (doc.Content != "" || doc.FromUserName != "" || doc.ToUserName != f.app.OriginalID) {
					t.Fatalf("safe push body %s", p.body)
				}
			}
			f.sink.mu.Lock()
			j := f.sink.replied[0]
			f.sink.mu.Unlock()
			if j.Reply == nil || j.Reply.MsgType != "text" || j.Reply.Content != "echo" || j.UserID != "u_1" || j.DedupKey != "42" || j.MessageID != 42 || j.MsgType != "text" {
				t.Fatalf("replied job %+v reply %+v", j, j.Reply)
			}
			if st := f.states(t); st[StateDone] != 1 || len(st) != 1 {
				t.Fatalf("outbox states %v", st)
			}
		})
	}
}

// A server that keeps failing gets exactly Attempts requests, each with the
// same stored payload (so the same MsgId, the dedup key), then the push
// fails once; a slow answer counts as a failed attempt.
func TestThreeAttemptsThenFailure(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, Timeout: 300 * time.Millisecond, RetryDelay: 10 * time.Millisecond})
	release := make(chan struct{})
	srv := newDevServer(t, func(p push) (int, string) {
		if strings.Contains(string(p.body), "<MsgId>7</MsgId>") {
			<-release // never answers within the timeout
			return 200, "success"
		}
		return 503, "busy"
	})
	t.Cleanup(func() { close(release) }) // before the server's Close waits for its handlers
	f.configure(t, srv.URL, ModePlain)
	f.run(t, f.d)
	f.enqueue(t, "u_1", "oUser1", 6, 7)
	f.d.Wake()
	waitFor(t, "both failures", func() bool { _, _, settled := f.sink.counts(); return settled == 2 })

	byID := map[string][]string{}
	for _, p := range srv.received() {
		var doc struct {
			MsgID      string `xml:"MsgId"`
			CreateTime string
		}
		xml.Unmarshal(p.body, &doc)
		byID[doc.MsgID] = append(byID[doc.MsgID], string(p.body))
	}
	for _, id := range []string{"6", "7"} {
		if len(byID[id]) != 3 {
			t.Fatalf("MsgId %s: %d attempts, want 3", id, len(byID[id]))
		}
		for _, b := range byID[id][1:] {
			if b != byID[id][0] {
				t.Fatalf("MsgId %s: attempts carried different payloads:\n%s\n%s", id, byID[id][0], b)
			}
		}
	}
	f.sink.mu.Lock()
	reasons := map[string]string{}
	for _, j := range f.sink.failed {
		reasons[j.DedupKey] = j.Reason
		if j.Attempts != 3 {
			t.Errorf("job %s failed at attempt %d", j.DedupKey, j.Attempts)
		}
	}
	f.sink.mu.Unlock()
	if !strings.Contains(reasons["6"], "HTTP 503") || !strings.Contains(reasons["7"], "no answer within") {
		t.Fatalf("failure reasons %q", reasons)
	}
	var attempts int
	var lastError string
	f.db.QueryRow(context.Background(), "SELECT attempts, last_error FROM oa_callbacks WHERE dedup_key = '6'").Scan(&attempts, &lastError)
	if st := f.states(t); st[StateFailed] != 2 || attempts != 3 || !strings.Contains(lastError, "503") {
		t.Fatalf("outbox %v, attempts %d, last_error %q", st, attempts, lastError)
	}
}

// A 2xx answer that is no reply is final (WeChat shows the user an error
// and does not retry), as is an encrypted reply with a bad signature; an
// encrypted reply made with the previous key still decrypts.
func TestInvalidAnswersAndPreviousKey(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, RetryDelay: 10 * time.Millisecond})
	oldKey := "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
	srv := newDevServer(t, func(p push) (int, string) {
		var doc struct{ Encrypt string }
		xml.Unmarshal(p.body, &doc)
		msg, _ := refOpen(t, f.key, doc.Encrypt)
		switch {
		case bytes.Contains(msg, []byte("<MsgId>1</MsgId>")):
			return 200, `{"errcode":0}`
		case bytes.Contains(msg, []byte("<MsgId>2</MsgId>")):
			enc := refSeal(t, f.key, f.app.AppID, []byte("<xml><MsgType>text</MsgType><Content>x</Content></xml>"))
			return 200, "<xml><Encrypt>" + enc + "</Encrypt><MsgSignature>0000</MsgSignature><TimeStamp>1</TimeStamp><Nonce>2</Nonce></xml>"
		default:
			enc := refSeal(t, oldKey, f.app.AppID, []byte("<xml><MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[T]]></Title><Url><![CDATA[https://example.com/a]]></Url></item></Articles></xml>"))
			return 200, "<xml><Encrypt>" + enc + "</Encrypt><MsgSignature>" + refSignature(f.token, "9", "8", enc) + "</MsgSignature><TimeStamp>9</TimeStamp><Nonce>8</Nonce></xml>"
		}
	})
	// The old key first, then the current one: the old one is kept.
	f.key = oldKey
	f.configure(t, srv.URL, ModeSafe)
	f.key = testKey
	f.configure(t, srv.URL, ModeSafe)
	c, err := LoadConfig(context.Background(), f.db, f.app.AppID)
	if err != nil || c.AESKey != testKey || c.PreviousAESKey != oldKey {
		t.Fatalf("keys after a change: %v", err)
	}
	f.run(t, f.d)
	f.enqueue(t, "u_1", "oUser1", 1, 2, 3)
	f.d.Wake()
	waitFor(t, "all settled", func() bool { _, _, s := f.sink.counts(); return s == 3 })
	if n := len(srv.received()); n != 3 {
		t.Fatalf("%d requests: an invalid answer must not be retried", n)
	}
	f.sink.mu.Lock()
	defer f.sink.mu.Unlock()
	if len(f.sink.failed) != 2 || len(f.sink.replied) != 1 {
		t.Fatalf("failed %d, replied %d", len(f.sink.failed), len(f.sink.replied))
	}
	for _, j := range f.sink.failed {
		want := map[string]string{"1": "neither", "2": "MsgSignature"}[j.DedupKey]
		if want == "" || !strings.Contains(j.Reason, want) {
			t.Fatalf("job %s failed with %q", j.DedupKey, j.Reason)
		}
	}
	r := f.sink.replied[0].Reply
	if r == nil || r.MsgType != "news" || len(r.Articles) != 1 || r.Articles[0].URL != "https://example.com/a" {
		t.Fatalf("reply decrypted with the previous key: %+v", r)
	}
}

// Pushes a dispatcher left in delivery when its process died are delivered
// by the next one, with the same payload: on SQLite because Run requeues
// them, on PostgreSQL because their lease runs out.
func TestRedeliveryAfterCrash(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, Lease: time.Millisecond})
	var mu sync.Mutex
	seen := map[string]int{}
	srv := newDevServer(t, func(p push) (int, string) {
		var doc struct {
			MsgID string `xml:"MsgId"`
		}
		xml.Unmarshal(p.body, &doc)
		mu.Lock()
		seen[doc.MsgID]++
		mu.Unlock()
		return 200, "success"
	})
	f.configure(t, srv.URL, ModePlain)
	ids := []int64{11, 12, 13, 14, 15}
	f.enqueue(t, "u_1", "oUser1", ids...)
	// The crashed dispatcher: claimed, never delivered or settled.
	claimed, err := f.d.claim(context.Background(), 3)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	// SQLite keeps claims in memory only.
	sqlite := f.db.Dialect == store.SQLite
	if st := f.states(t); (sqlite && st[StatePending] != 5) || (!sqlite && st[StateDelivering] != 3) {
		t.Fatalf("states after the crash %v", st)
	}
	time.Sleep(5 * time.Millisecond) // past the 1 ms lease
	next := NewDispatcher(f.db, f.sink, Options{AllowPrivate: true})
	f.run(t, next)
	waitFor(t, "every push", func() bool { _, _, s := f.sink.counts(); return s == len(ids) })
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if seen[strconv.FormatInt(id, 10)] != 1 {
			t.Fatalf("deliveries per MsgId %v", seen)
		}
	}
	if st := f.states(t); st[StateDone] != len(ids) {
		t.Fatalf("states %v", st)
	}
	var attempts int
	f.db.QueryRow(context.Background(), "SELECT MAX(attempts) FROM oa_callbacks").Scan(&attempts)
	// On SQLite an attempt is counted when it settles, so the lost one
	// is not.
	want := 2
	if sqlite {
		want = 1
	}
	if attempts != want {
		t.Fatalf("a requeued push has %d attempts, want %d", attempts, want)
	}
}

// Only the claim that holds a push settles it: a late outcome from a claim
// whose lease was taken over changes nothing.
func TestStaleClaimDoesNotSettle(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, Lease: time.Millisecond})
	if f.db.Dialect == store.SQLite {
		t.Skip("claims on SQLite are in memory and never taken over (TestClaimsInFlight)")
	}
	f.enqueue(t, "u_1", "oUser1", 1)
	first, _ := f.d.claim(context.Background(), 1)
	time.Sleep(5 * time.Millisecond) // past the lease: the push is taken over
	f.d.requeue(context.Background())
	second, _ := f.d.claim(context.Background(), 1)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("claims %d, %d", len(first), len(second))
	}
	f.d.round([]*outcome{{task: first[0], kind: outcomeFailed, reason: "late"}}, 0)
	f.d.round([]*outcome{{task: first[0], kind: outcomeDone}}, 0)
	if r, failed, _ := f.sink.counts(); r != 0 || failed != 0 || f.states(t)[StateDelivering] != 1 {
		t.Fatalf("a stale claim settled the push: %v", f.states(t))
	}
	f.d.round([]*outcome{{task: second[0], kind: outcomeDone}}, 0)
	if r, _, s := f.sink.counts(); r != 1 || s != 1 || f.states(t)[StateDone] != 1 {
		t.Fatalf("the current claim did not settle: %v", f.states(t))
	}
}

// A push in flight is not claimed again; one that failed is, once its
// retry is due, with the same payload and the attempt counted; pushes
// enqueued while others are in flight are claimed, also one committed late
// with an earlier due time.
func TestClaimsInFlight(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, RetryDelay: time.Hour})
	ctx := context.Background()
	f.enqueue(t, "u_1", "oUser1", 1, 2, 3)
	first, err := f.d.claim(ctx, 10)
	if err != nil || len(first) != 3 {
		t.Fatalf("first claim: %d, %v", len(first), err)
	}
	if again, err := f.d.claim(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("pushes in flight claimed again: %d, %v", len(again), err)
	}
	// Enqueued while the others are in flight, one of them due before
	// them (its transaction began first and committed last).
	f.enqueue(t, "u_1", "oUser1", 4)
	if _, err := f.db.Exec(ctx, `INSERT INTO oa_callbacks(appid, user_id, dedup_key, payload, message_id, state, next_at, created_at)
		SELECT appid, user_id, '5', payload, 5, state, 1, created_at FROM oa_callbacks WHERE dedup_key = '4'`); err != nil {
		t.Fatal(err)
	}
	later, err := f.d.claim(ctx, 10)
	keys := map[string]*task{}
	for _, tk := range later {
		keys[tk.job.DedupKey] = tk
	}
	if err != nil || len(later) != 2 || keys["4"] == nil || keys["5"] == nil {
		t.Fatalf("claim while others are in flight: %v, %v", keys, err)
	}
	// 1 fails for now, 2 is delivered, 3 was interrupted: 3 is due at
	// once (uncounted), 1 after the retry delay.
	byKey := map[string]*task{}
	for _, tk := range first {
		byKey[tk.job.DedupKey] = tk
	}
	claimed, err := f.d.round([]*outcome{
		{task: byKey["1"], kind: outcomeRetry, reason: "HTTP 503"},
		{task: byKey["2"], kind: outcomeDone},
		{task: byKey["3"], kind: outcomeAborted},
	}, 10)
	if err != nil || len(claimed) != 1 || claimed[0].job.DedupKey != "3" || claimed[0].job.Attempts != 1 {
		t.Fatalf("claimed after settling %+v, %v", claimed, err)
	}
	if r, _, s := f.sink.counts(); r != 1 || s != 1 {
		t.Fatalf("replied %d, settled %d", r, s)
	}
	f.d.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	retried, err := f.d.claim(ctx, 10)
	if err != nil || len(retried) != 1 || retried[0].job.DedupKey != "1" || retried[0].job.Attempts != 2 || retried[0].payload != byKey["1"].payload {
		t.Fatalf("the retry when due: %+v, %v", retried, err)
	}
	if again, err := f.d.claim(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("the retry in flight claimed again: %d, %v", len(again), err)
	}
	claimed, err = f.d.round([]*outcome{{task: retried[0], kind: outcomeDone}, {task: claimed[0], kind: outcomeDone}}, 10)
	if err != nil || len(claimed) != 0 {
		t.Fatalf("claimed after the last settled: %d, %v", len(claimed), err)
	}
	var attempts int
	var lastError string
	f.db.QueryRow(ctx, "SELECT attempts, last_error FROM oa_callbacks WHERE dedup_key = '1'").Scan(&attempts, &lastError)
	if st := f.states(t); st[StateDone] != 3 || attempts != 2 || lastError != "" {
		t.Fatalf("outbox %v; push 1: %d attempts, last_error %q", st, attempts, lastError)
	}
}

// Setting a loopback target is refused unless private targets are allowed,
// by address and by a name that resolves there; at dial time too (a
// stored URL whose name now resolves to loopback is never reached).
func TestSSRFGuard(t *testing.T) {
	var hits atomic.Int32
	srv := newDevServer(t, func(push) (int, string) { hits.Add(1); return 200, "success" })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	strict := newFixture(t, Options{Timeout: time.Second, RetryDelay: 5 * time.Millisecond})
	for _, u := range []string{srv.URL, fmt.Sprintf("http://localhost:%d/wx", port), fmt.Sprintf("http://[::1]:%d/", port)} {
		_, err := strict.d.Configure(context.Background(), strict.app.AppID, Settings{URL: u, Token: "abc"})
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "url" || !strings.Contains(ie.Msg, "loopback") {
			t.Fatalf("Configure(%s) without allow_private: %v", u, err)
		}
	}
	if _, err := LoadConfig(context.Background(), strict.db, strict.app.AppID); !errors.Is(err, ErrNoServer) {
		t.Fatalf("a refused target was stored: %v", err)
	}
	// Stored behind the check's back (as a name that resolved elsewhere
	// when it was set would be): the dial is refused.
	if _, err := strict.db.Exec(context.Background(), "INSERT INTO oa_callback_configs(appid, url, token, mode, updated_at) VALUES (?, ?, 'abc', 'plain', 0)", strict.app.AppID, srv.URL); err != nil {
		t.Fatal(err)
	}
	strict.run(t, strict.d)
	strict.enqueue(t, "u_1", "oUser1", 5)
	strict.d.Wake()
	waitFor(t, "the failure", func() bool { _, _, settled := strict.sink.counts(); return settled == 1 })
	strict.sink.mu.Lock()
	reason := strict.sink.failed[0].Reason
	strict.sink.mu.Unlock()
	if hits.Load() != 0 || !strings.Contains(reason, "refused address") {
		t.Fatalf("dial-time guard: %d hits, reason %q", hits.Load(), reason)
	}

	dev := newFixture(t, Options{AllowPrivate: true})
	if _, err := dev.d.Configure(context.Background(), dev.app.AppID, Settings{URL: fmt.Sprintf("http://localhost:%d/wx", port), Token: "abc"}); err != nil {
		t.Fatalf("Configure with allow_private: %v", err)
	}
}

// URL verification: the GET carries WeChat's signature, and only an exact
// echo is accepted.
func TestURLVerification(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true, Timeout: time.Second})
	var got url.Values
	var gotRaw string
	answer := func(q url.Values) string { return q.Get("echostr") }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotRaw = r.URL.Query(), r.URL.RawQuery
		io.WriteString(w, answer(got))
	}))
	defer srv.Close()
	f.configure(t, srv.URL+"/wx?x=1&k=a;b&echostr=old", ModePlain)
	if got.Get("x") != "1" || !strings.Contains(gotRaw, "&k=a;b&") || len(got["echostr"]) != 1 || got.Get("signature") != refSignature(f.token, got.Get("timestamp"), got.Get("nonce")) || got.Get("echostr") == "" {
		t.Fatalf("verification query %v", got)
	}
	for _, bad := range []func(url.Values) string{
		func(q url.Values) string { return q.Get("echostr") + "\n" },
		func(url.Values) string { return "success" },
		func(url.Values) string { return "" },
	} {
		answer = bad
		_, err := f.d.Configure(context.Background(), f.app.AppID, Settings{URL: srv.URL, Token: "other1"})
		var ve *VerifyError
		if !errors.As(err, &ve) || !strings.Contains(ve.Msg, "instead of echoing echostr") {
			t.Fatalf("bad echo accepted or unclear: %v", err)
		}
	}
	if c, _ := LoadConfig(context.Background(), f.db, f.app.AppID); c == nil || c.Token != f.token {
		t.Fatal("a failed verification replaced the stored server")
	}
}

func TestSettingsValidation(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true})
	for _, tc := range []struct {
		s     Settings
		field string
	}{
		{Settings{URL: "http://x.example/", Token: "ab"}, "token"},
		{Settings{URL: "http://x.example/", Token: strings.Repeat("a", 33)}, "token"},
		{Settings{URL: "http://x.example/", Token: "abc_"}, "token"},
		{Settings{URL: "http://x.example/", Token: "abc", Mode: "secret"}, "mode"},
		{Settings{URL: "http://x.example/", Token: "abc", Mode: "safe"}, "encoding_aes_key"},
		{Settings{URL: "http://x.example/", Token: "abc", EncodingAESKey: testKey[:42]}, "encoding_aes_key"},
		{Settings{URL: "http://x.example/", Token: "abc", EncodingAESKey: testKey[:42] + "+"}, "encoding_aes_key"},
		{Settings{URL: "ftp://x.example/", Token: "abc"}, "url"},
		{Settings{URL: "/relative", Token: "abc"}, "url"},
		{Settings{URL: "http://user:pw@x.example/", Token: "abc"}, "url"},
		{Settings{URL: "", Token: "abc"}, "url"},
	} {
		_, err := f.d.Configure(context.Background(), f.app.AppID, tc.s)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%+v: %v, want an error on %s", tc.s, err, tc.field)
		}
	}
}

func TestSweep(t *testing.T) {
	f := newFixture(t, Options{})
	f.enqueue(t, "u_1", "o1", 1, 2, 3)
	old := time.Now().Add(-8 * 24 * time.Hour).Unix()
	f.db.Exec(context.Background(), "UPDATE oa_callbacks SET state = 'done', finished_at = ? WHERE dedup_key = '1'", old)
	f.db.Exec(context.Background(), "UPDATE oa_callbacks SET state = 'failed', finished_at = ? WHERE dedup_key = '2'", time.Now().Unix())
	if err := f.d.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := f.states(t); st[StateDone] != 0 || st[StateFailed] != 1 || st[StatePending] != 1 {
		t.Fatalf("after sweep %v", st)
	}
}

// What counts as "no reply", a reply, or an invalid answer.
func TestParseReply(t *testing.T) {
	cfg := &Config{AppID: "wx0123456789abcdef", Token: "Tok3n", AESKey: testKey, Mode: ModeSafe}
	sealed := func(plain string) string {
		enc := refSeal(t, testKey, cfg.AppID, []byte(plain))
		return "<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt><MsgSignature><![CDATA[" + refSignature(cfg.Token, "11", "22", enc) + "]]></MsgSignature><TimeStamp>11</TimeStamp><Nonce><![CDATA[22]]></Nonce></xml>"
	}
	for _, tc := range []struct {
		answer string
		want   string // MsgType, "" for no reply, "error" for invalid
	}{
		{"success", ""},
		{"", ""},
		{" success\n", ""},
		{sealed(""), ""}, // silenceper's safe-mode "no reply"
		{sealed("success"), ""},
		{"<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>", "text"},
		{sealed("<xml><MsgType><![CDATA[voice]]></MsgType><Voice><MediaId><![CDATA[m1]]></MediaId></Voice></xml>"), "voice"},
		{"<xml><MsgType>transfer_customer_service</MsgType></xml>", "transfer_customer_service"},
		{"ok", "error"},
		{"<xml><MsgType>text</MsgType></xml>", "error"},
		{"<xml><MsgType>image</MsgType></xml>", "error"},
		{"<xml><MsgType>miniprogrampage</MsgType></xml>", "error"},
		{"<xml><MsgType>news</MsgType><ArticleCount>0</ArticleCount></xml>", "error"},
		{strings.Replace(sealed("<xml><MsgType>text</MsgType><Content>x</Content></xml>"), "<TimeStamp>11", "<TimeStamp>12", 1), "error"},
	} {
		r, err := parseReply(cfg, []byte(tc.answer))
		got := ""
		switch {
		case err != nil:
			got = "error"
		case r != nil:
			got = r.MsgType
		}
		if got != tc.want {
			t.Errorf("answer %.60q: got %q (%v), want %q", tc.answer, got, err, tc.want)
		}
	}
}

// A kept-alive connection the developer server closed while it was idle
// does not cost a push an attempt: the push goes on a new connection.
func TestIdleConnectionClosedByServer(t *testing.T) {
	f := newFixture(t, Options{AllowPrivate: true})
	srv := newDevServer(t, func(push) (int, string) { return 200, "success" })
	f.configure(t, srv.URL, ModePlain)
	f.run(t, f.d)
	f.enqueue(t, "u_1", "oUser1", 1)
	f.d.Wake()
	waitFor(t, "the first push", func() bool { _, _, s := f.sink.counts(); return s == 1 })
	srv.CloseClientConnections()
	f.enqueue(t, "u_1", "oUser1", 2)
	f.d.Wake()
	waitFor(t, "the second push", func() bool { _, _, s := f.sink.counts(); return s == 2 })
	var attempts int
	var lastError string
	f.db.QueryRow(context.Background(), "SELECT attempts, last_error FROM oa_callbacks WHERE dedup_key = '2'").Scan(&attempts, &lastError)
	if r, failed, _ := f.sink.counts(); r != 2 || failed != 0 || attempts != 1 || len(srv.received()) != 2 {
		t.Fatalf("replied %d, failed %d, attempts %d (%s), received %d", r, failed, attempts, lastError, len(srv.received()))
	}
}
