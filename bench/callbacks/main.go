// Command callbacks measures developer-server callback throughput
// (docs/benchmarks.md): per backend, superapp's dispatcher delivering
// safe-mode pushes (encrypted, signed, POSTed, answered "success", settled
// in the outbox) beside a raw Go HTTP POST loop sending the same request
// bodies at the same concurrency to the same developer server.
//
// The developer server runs in this process on 127.0.0.1: it checks both
// signatures, decrypts each push and answers "success" — at once, or after
// -delay (a server doing some work). The pushes are enqueued in the outbox
// before the dispatcher's timing starts; its time runs from its start until
// the last push is settled as delivered. The raw loop's bodies are
// encrypted and signed before its timing starts, so it measures HTTP alone
// and the ratio charges superapp for its crypto and database work. Raw and
// dispatcher runs alternate -rounds times and the medians are reported, so
// both see the same machine.
//
//	go run ./bench/callbacks [-n 20000] [-conc 64] [-delay 10ms] [-rounds 3] [-postgres postgres://postgres@127.0.0.1:5432/postgres]
package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"superapp/bench/internal/benchdb"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/officialaccount"
	"superapp/internal/platform"
	"superapp/internal/store"
	"superapp/internal/wxcrypto"
)

var (
	flagN        = flag.Int("n", 20000, "pushes per measurement")
	flagConc     = flag.Int("conc", 64, "concurrent requests: the dispatcher's workers and the raw loop's goroutines")
	flagDelay    = flag.Duration("delay", 10*time.Millisecond, "the developer server's answer time in the second scenario (0 skips it)")
	flagRounds   = flag.Int("rounds", 3, "alternating raw/dispatcher measurements per scenario (medians reported)")
	flagProfile  = flag.String("cpuprofile", "", "write a CPU profile of the dispatcher runs to this file (suffixed with the backend)")
	flagPostgres = flag.String("postgres", "", "also measure on this PostgreSQL server (a fresh database is created and dropped)")
)

const (
	token  = "benchToken42"
	aesKey = "Bench0123456789abcdefghijklmnopqrstuvwxyzAB"
)

func main() {
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	dev, err := startDevServer()
	if err != nil {
		fail(err)
	}
	defer dev.close()

	backends := []string{"sqlite"}
	if *flagPostgres != "" {
		backends = append(backends, "postgres")
	}
	delays := []time.Duration{0}
	if *flagDelay > 0 {
		delays = append(delays, *flagDelay)
	}
	var rows []string
	for _, b := range backends {
		rs, err := benchBackend(b, dev, delays)
		if err != nil {
			fail(fmt.Errorf("%s: %w", b, err))
		}
		rows = append(rows, rs...)
	}
	fmt.Printf("Callback throughput, safe mode: %d pushes per measurement, enqueued in the outbox before timing; %d concurrent; developer server on 127.0.0.1; medians of %d alternating rounds (%d CPUs, %s)\n\n",
		*flagN, *flagConc, *flagRounds, runtime.NumCPU(), runtime.Version())
	fmt.Println("| backend | developer server answers | raw Go POST loop (pushes/s) | superapp dispatcher (pushes/s) | dispatcher / raw | CPU per push, raw / dispatcher (this process) | CPU per push, raw / dispatcher (whole machine, incl. PostgreSQL and other load) |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Println(r)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/callbacks:", err)
	os.Exit(1)
}

// devServer is the developer server both senders push to.
type devServer struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	envs  map[string]*wxcrypto.Envelope // by appid
	delay atomic.Int64                  // answer time, ns
	ok    atomic.Int64
	bad   atomic.Int64
}

func startDevServer() (*devServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &devServer{url: "http://" + l.Addr().String() + "/wechat", envs: map[string]*wxcrypto.Envelope{}}
	d.srv = &http.Server{Handler: http.HandlerFunc(d.serve)}
	go d.srv.Serve(l)
	return d, nil
}

func (d *devServer) close() { d.srv.Close() }

func (d *devServer) envelope(appid string) *wxcrypto.Envelope {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.envs[appid]
}

func (d *devServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		if q.Get("signature") == wxcrypto.Signature(token, q.Get("timestamp"), q.Get("nonce")) {
			io.WriteString(w, q.Get("echostr"))
		}
		return
	}
	body, _ := io.ReadAll(r.Body)
	var doc struct {
		ToUserName, Encrypt string
	}
	env := d.envelope(q.Get("appid"))
	if xml.Unmarshal(body, &doc) != nil || env == nil ||
		q.Get("signature") != wxcrypto.Signature(token, q.Get("timestamp"), q.Get("nonce")) ||
		q.Get("msg_signature") != wxcrypto.Signature(token, q.Get("timestamp"), q.Get("nonce"), doc.Encrypt) {
		d.bad.Add(1)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	plain, err := env.Open(doc.Encrypt)
	if err != nil || !bytes.Contains(plain, []byte("<MsgId>")) {
		d.bad.Add(1)
		http.Error(w, "bad push", http.StatusBadRequest)
		return
	}
	if delay := time.Duration(d.delay.Load()); delay > 0 {
		time.Sleep(delay)
	}
	d.ok.Add(1)
	io.WriteString(w, "success")
}

// countingSink counts settled pushes on their way to the real Sink.
type countingSink struct {
	callback.Sink
	settled atomic.Int64
	fails   atomic.Int64
	all     chan struct{}
	want    int64
}

func (s *countingSink) Settled(jobs []callback.Job) {
	s.Sink.Settled(jobs)
	for _, j := range jobs {
		if j.State != callback.StateDone {
			s.fails.Add(1)
		}
	}
	if s.settled.Add(int64(len(jobs))) == s.want {
		close(s.all)
	}
}

// bench is one backend's account and its pushes.
type bench struct {
	p        *platform.Platform
	dev      *devServer
	app      *account.App
	payloads []string
	reqs     []rawRequest // the same pushes, encrypted and signed for the raw loop
	client   *http.Client
	profile  string
}

type rawRequest struct {
	url  string
	body []byte
}

func benchBackend(backend string, dev *devServer, delays []time.Duration) ([]string, error) {
	db, err := benchdb.Fresh(backend, *flagPostgres)
	if err != nil {
		return nil, err
	}
	defer db.Drop()
	cfg := db.Config
	opts := platform.DefaultOptions(cfg.DataDir)
	opts.Store, opts.Dev = cfg, true
	ctx := context.Background()
	p, err := platform.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	app, _, err := p.Accounts.CreateApp(ctx, account.ServiceAccount, "Bench", "")
	if err != nil {
		return nil, err
	}
	env, _ := wxcrypto.NewEnvelope(aesKey, app.AppID)
	dev.mu.Lock()
	dev.envs[app.AppID] = env
	dev.mu.Unlock()
	// The developer server learns which account pushes from its URL, as a
	// multi-tenant backend would. Setting it runs the URL verification.
	if _, err := p.OA.Dispatcher().Configure(ctx, app.AppID, callback.Settings{URL: dev.url + "?appid=" + app.AppID, Token: token, EncodingAESKey: aesKey, Mode: callback.ModeSafe}); err != nil {
		return nil, err
	}
	b := &bench{p: p, dev: dev, app: app, payloads: make([]string, *flagN), reqs: make([]rawRequest, *flagN),
		client: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 4 * *flagConc, MaxIdleConnsPerHost: *flagConc, IdleConnTimeout: 90 * time.Second}}}
	if *flagProfile != "" {
		b.profile = *flagProfile + "." + backend
	}
	for i := range b.payloads {
		openid := fmt.Sprintf("oBenchUser%017d", i%1000)
		in := officialaccount.Inbound{ToUserName: app.OriginalID, FromUserName: openid, CreateTime: time.Now().Unix(),
			MsgType: "text", Content: "bench message " + strconv.Itoa(i) + ": 你好，公众号", MsgID: int64(i + 1)}
		b.payloads[i] = in.XML()
		ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), strconv.Itoa(100000+i)
		enc := env.Seal([]byte(b.payloads[i]))
		q := url.Values{"appid": {app.AppID}, "signature": {wxcrypto.Signature(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce},
			"openid": {openid}, "encrypt_type": {"aes"}, "msg_signature": {wxcrypto.Signature(token, ts, nonce, enc)}}
		b.reqs[i] = rawRequest{dev.url + "?" + q.Encode(), []byte("<xml><ToUserName><![CDATA[" + app.OriginalID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")}
	}

	var rows []string
	for _, delay := range delays {
		dev.delay.Store(int64(delay))
		var raws, disps, rawCPU, dispCPU, rawAll, dispAll []float64
		for range *flagRounds {
			r, c, a, err := b.raw()
			if err != nil {
				return nil, err
			}
			raws, rawCPU, rawAll = append(raws, r), append(rawCPU, c), append(rawAll, a)
			d, c, a, err := b.dispatch()
			if err != nil {
				return nil, err
			}
			disps, dispCPU, dispAll = append(disps, d), append(dispCPU, c), append(dispAll, a)
		}
		answers := "at once"
		if delay > 0 {
			answers = "after " + delay.String()
		}
		r, d := median(raws), median(disps)
		rows = append(rows, fmt.Sprintf("| %s | %s | %.0f | %.0f | %.0f %% | %.0f µs / %.0f µs | %.0f µs / %.0f µs |", backend, answers, r, d, 100*d/r, median(rawCPU), median(dispCPU), median(rawAll), median(dispAll)))
	}
	return rows, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// machineCPU is the CPU time all processes used so far (from /proc/stat;
// 0 where it cannot be read): on PostgreSQL the database server's work
// shows here, not in this process.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return 0
	}
	var ticks int64
	for i, v := range f[1:8] {
		if i == 3 { // idle
			continue
		}
		n, _ := strconv.ParseInt(string(v), 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}

// cpuTime is this process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raw POSTs every prepared request once from -conc goroutines; it returns
// pushes per second and CPU µs per push.
func (b *bench) raw() (float64, float64, float64, error) {
	okBefore := b.dev.ok.Load()
	var next atomic.Int64
	var rawErr atomic.Value
	var wg sync.WaitGroup
	cpu0, all0, start := cpuTime(), machineCPU(), time.Now()
	for range *flagConc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(b.reqs)) {
					return
				}
				resp, err := b.client.Post(b.reqs[i].url, "text/xml", bytes.NewReader(b.reqs[i].body))
				if err != nil {
					rawErr.Store(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "success" {
					rawErr.Store(fmt.Errorf("raw POST answered %d %q", resp.StatusCode, body))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu, all := time.Since(start), cpuTime()-cpu0, machineCPU()-all0
	if e, _ := rawErr.Load().(error); e != nil {
		return 0, 0, 0, e
	}
	n := len(b.reqs)
	if got := b.dev.ok.Load() - okBefore; got != int64(n) {
		return 0, 0, 0, fmt.Errorf("the raw loop delivered %d of %d", got, n)
	}
	return float64(n) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(n), float64(all.Microseconds()) / float64(n), nil
}

// dispatch enqueues the pushes, then times a dispatcher delivering them.
func (b *bench) dispatch() (float64, float64, float64, error) {
	ctx := context.Background()
	var first int64
	for lo := 0; lo < len(b.payloads); lo += 1000 {
		err := b.p.DB.InTx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(lo+1000, len(b.payloads)); i++ {
				id, err := callback.Enqueue(ctx, tx, callback.Push{AppID: b.app.AppID, UserID: fmt.Sprintf("u_bench%d", i%1000),
					DedupKey: strconv.Itoa(i + 1), XML: b.payloads[i], MessageID: int64(i + 1)})
				if err != nil {
					return err
				}
				if first == 0 {
					first = id
				}
			}
			return nil
		})
		if err != nil {
			return 0, 0, 0, err
		}
	}
	sink := &countingSink{Sink: b.p.OA, all: make(chan struct{}), want: int64(len(b.payloads))}
	d := callback.NewDispatcher(b.p.DB, sink, callback.Options{AllowPrivate: true, Workers: *flagConc})
	if b.profile != "" {
		f, err := os.OpenFile(b.profile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return 0, 0, 0, err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	okBefore := b.dev.ok.Load()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	cpu0, all0, start := cpuTime(), machineCPU(), time.Now()
	go func() { d.Run(runCtx); close(ran) }()
	select {
	case <-sink.all:
	case <-time.After(5 * time.Minute):
		stop()
		<-ran
		return 0, 0, 0, errors.New("the dispatcher did not finish within 5 minutes")
	}
	elapsed, cpu, all := time.Since(start), cpuTime()-cpu0, machineCPU()-all0
	stop()
	<-ran
	n := len(b.payloads)
	if f := sink.fails.Load(); f != 0 || b.dev.bad.Load() != 0 {
		return 0, 0, 0, fmt.Errorf("%d pushes failed, %d refused by the developer server", f, b.dev.bad.Load())
	}
	if got := b.dev.ok.Load() - okBefore; got < int64(n) {
		return 0, 0, 0, fmt.Errorf("the dispatcher delivered %d of %d", got, n)
	}
	var done int
	b.p.DB.QueryRow(ctx, "SELECT COUNT(*) FROM oa_callbacks WHERE state = 'done' AND id >= ?", first).Scan(&done)
	if done != n {
		return 0, 0, 0, fmt.Errorf("%d of %d pushes settled as done", done, n)
	}
	return float64(n) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(n), float64(all.Microseconds()) / float64(n), nil
}
