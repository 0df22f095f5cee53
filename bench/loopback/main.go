// Command loopback is superapp's committed HTTP benchmark (docs/benchmarks.md).
// In one run on 127.0.0.1 it measures requests per second and latency of
//
//	(a) a bare net/http ServeMux JSON handler,
//	(b) superapp's token-authenticated read GET /cgi-bin/account/getaccountbasicinfo,
//	(c) a bare handler doing one autocommit INSERT per request, and
//	(d) superapp's GET /sns/jscode2session (one fresh, pre-minted code per request),
//
// (b)–(d) on embedded SQLite and on PostgreSQL, and the idle RSS of
// `superapp serve`. The load generator runs in the same process: -conns
// goroutines, each with its own keep-alive connection, send requests back to
// back for -warmup, then for -duration while every latency is recorded. Any
// answer that is not HTTP 200, or that carries an errcode other than 0, is an
// error. Server and load share the machine's cores, so the numbers are a lower
// bound for a server whose clients are elsewhere.
//
//	go run ./bench/loopback [-duration 8s] [-conns 64] [-postgres postgres://postgres@127.0.0.1:5432/postgres]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"superapp/bench/internal/benchdb"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/random"
	"superapp/internal/server"
	"superapp/internal/store"
)

var (
	flagDuration = flag.Duration("duration", 8*time.Second, "measured time per scenario")
	flagWarmup   = flag.Duration("warmup", 2*time.Second, "unmeasured load before each measurement")
	flagConns    = flag.Int("conns", 64, "concurrent keep-alive connections")
	flagPostgres = flag.String("postgres", benchdb.DefaultPostgres(),
		"PostgreSQL server for the postgres runs (a fresh database is created and dropped); \"off\" skips them")
	flagOnly       = flag.String("only", "a,b,c,d", "scenarios to run, comma-separated subset of a,b,c,d")
	flagBackends   = flag.String("backends", "sqlite,postgres", "backends for (b)–(d)")
	flagRSS        = flag.Bool("rss", true, "build cmd/superapp and record the idle RSS of `superapp serve`")
	flagUsers      = flag.Int("users", 4096, "simulated users that the jscode2session codes are spread over")
	flagCodes      = flag.Int("codes", 0, "codes to pre-mint for (d); 0 means 4 × the (c) rate of the same backend × (warm-up + duration)")
	flagWaitIdle   = flag.Duration("wait-idle", time.Minute, "before each scenario, wait up to this long for the machine to be idle (< 15% CPU busy)")
	flagCPUProfile = flag.String("cpuprofile", "", "write a CPU profile of each measured window to PREFIX-<scenario>.pprof")
)

func main() {
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loopback:", err)
		os.Exit(1)
	}
}

func want(s string) bool { return slices.Contains(strings.Split(*flagOnly, ","), s) }

// result is one measured scenario.
type result struct {
	name     string
	backend  string
	requests int
	errors   int
	firstErr string
	rps      float64
	p50, p99 time.Duration
	max      time.Duration
	// CPU use during the measured window, in percent of all cores: this
	// process (server and load generator) and the whole machine (which
	// includes PostgreSQL, and anything else running — a busy machine
	// makes the run meaningless).
	cpuSelf, cpuBox float64
}

func run() error {
	fmt.Printf("loopback benchmark: %s, %d CPUs, GOMAXPROCS %d, %d conns, %s warm-up + %s measured per scenario\n",
		runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), *flagConns, *flagWarmup, *flagDuration)
	var results []result
	var bare *result
	if want("a") {
		r, err := benchBare()
		if err != nil {
			return fmt.Errorf("(a): %w", err)
		}
		results = append(results, r)
		bare = &r
	}
	for _, backend := range strings.Split(*flagBackends, ",") {
		if backend == "postgres" && (*flagPostgres == "" || *flagPostgres == "off") {
			continue
		}
		rs, err := benchBackend(backend)
		results = append(results, rs...)
		if err != nil {
			return fmt.Errorf("%s: %w", backend, err)
		}
	}
	var rss string
	if *flagRSS {
		r, err := idleRSS()
		if err != nil {
			return fmt.Errorf("idle RSS: %w", err)
		}
		rss = r
	}
	report(results, bare, rss)
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%s %s: %d errors (first: %s)", r.name, r.backend, r.errors, r.firstErr)
		}
	}
	return nil
}

func report(results []result, bare *result, rss string) {
	fmt.Println()
	fmt.Println("| Scenario | Backend | req/s | p50 | p99 | max | requests | errors | CPU self / box |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %s | %s | %.0f | %s | %s | %s | %d | %d | %.0f%% / %.0f%% |\n", r.name, r.backend, r.rps, ms(r.p50), ms(r.p99), ms(r.max), r.requests, r.errors, r.cpuSelf, r.cpuBox)
	}
	fmt.Println()
	find := func(prefix, backend string) *result {
		for i := range results {
			if strings.HasPrefix(results[i].name, prefix) && results[i].backend == backend {
				return &results[i]
			}
		}
		return nil
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		if b := find("(b)", backend); b != nil && bare != nil {
			fmt.Printf("- %s: (b)/(a) = %.0f%% (target ≥ 60%%)\n", backend, 100*b.rps/bare.rps)
		}
		c, d := find("(c)", backend), find("(d)", backend)
		if c != nil && d != nil {
			fmt.Printf("- %s: (d)/(c) = %.0f%% (target ≥ 70%%)\n", backend, 100*d.rps/c.rps)
		}
	}
	if rss != "" {
		fmt.Printf("- idle RSS of `superapp serve`: %s (target ≤ 60 MB)\n", rss)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// ---- load generator ----

// loadSpec describes the requests of one scenario.
type loadSpec struct {
	name, backend string
	// next returns the URL of the next request, or "" when there is none left.
	next func() string
	// check inspects a 200 answer's body; nil means the body is fine.
	check func(body []byte) error
}

var errcodeKey = []byte(`"errcode":`)

// wechatOK accepts a body without errcode or with errcode 0.
func wechatOK(body []byte) error {
	i := bytes.Index(body, errcodeKey)
	if i < 0 {
		return nil
	}
	rest := body[i+len(errcodeKey):]
	if len(rest) > 1 && rest[0] == '0' && (rest[1] == ',' || rest[1] == '}') {
		return nil
	}
	return fmt.Errorf("answer %.200s", body)
}

// measure drives spec with *flagConns connections for warm-up + duration.
func measure(spec loadSpec) result {
	waitIdle()
	conns := *flagConns
	start := time.Now()
	t0 := start.Add(*flagWarmup)
	t1 := t0.Add(*flagDuration)
	var errCount atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	var stopProfile func()
	if *flagCPUProfile != "" {
		stopProfile = profileWindow(t0, t1, spec)
	}
	cpuDone := make(chan [2]float64, 1)
	go func() {
		time.Sleep(time.Until(t0))
		self0, box0 := cpuNow()
		time.Sleep(time.Until(t1))
		self1, box1 := cpuNow()
		cpuDone <- [2]float64{self1.since(self0), box1.since(box0)}
	}()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			tr := &http.Transport{
				MaxIdleConns: 4, MaxIdleConnsPerHost: 4, MaxConnsPerHost: 1,
				DisableCompression: true, IdleConnTimeout: time.Minute,
				DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			mine := make([]time.Duration, 0, 1<<16)
			var buf bytes.Buffer
			fail := func(err error, rec bool) {
				if rec {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			for {
				s := time.Now()
				if !s.Before(t1) {
					break
				}
				u := spec.next()
				if u == "" {
					fail(errors.New("ran out of pre-minted codes (raise -codes)"), true)
					break
				}
				resp, err := client.Get(u)
				var body []byte
				if err == nil {
					buf.Reset()
					_, err = buf.ReadFrom(resp.Body)
					resp.Body.Close()
					body = buf.Bytes()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
					}
				}
				if err == nil && spec.check != nil {
					err = spec.check(body)
				}
				e := time.Now()
				inWindow := !e.Before(t0) && e.Before(t1)
				if err != nil {
					// Errors count whenever they happen, warm-up included.
					fail(err, true)
					continue
				}
				if inWindow {
					mine = append(mine, e.Sub(s))
				}
			}
			lat[w] = mine
		}(w)
	}
	wg.Wait()
	if stopProfile != nil {
		stopProfile()
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	cpu := <-cpuDone
	r := result{name: spec.name, backend: spec.backend, requests: len(all), errors: int(errCount.Load()), cpuSelf: cpu[0], cpuBox: cpu[1]}
	if v := firstErr.Load(); v != nil {
		r.firstErr = v.(string)
	}
	r.rps = float64(len(all)) / flagDuration.Seconds()
	if len(all) > 0 {
		r.p50 = all[len(all)*50/100]
		r.p99 = all[len(all)*99/100]
		r.max = all[len(all)-1]
	}
	fmt.Printf("  %-36s %-8s %7.0f req/s  p50 %s  p99 %s  errors %d  CPU self %.0f%% box %.0f%%\n",
		r.name, r.backend, r.rps, ms(r.p50), ms(r.p99), r.errors, r.cpuSelf, r.cpuBox)
	return r
}

// profileWindow records a CPU profile from t0 to t1 in the background.
func profileWindow(t0, t1 time.Time, spec loadSpec) func() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(time.Until(t0))
		name := *flagCPUProfile + "-" + strings.Trim(spec.backend, "—") + "-" + strings.Trim(spec.name[:3], "()")
		f, err := os.Create(name + ".pprof")
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpuprofile:", err)
			return
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "cpuprofile:", err)
			return
		}
		time.Sleep(time.Until(t1))
		pprof.StopCPUProfile()
	}()
	return func() { <-done }
}

// listen serves h on a random loopback port until the returned stop is called.
func listen(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

func fixed(u string) func() string { return func() string { return u } }

// ---- (a) ----

func benchBare() (result, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
			Message string `json:"message"`
		}{0, "ok", "hello, world"})
	})
	base, stop, err := listen(mux)
	if err != nil {
		return result{}, err
	}
	defer stop()
	return measure(loadSpec{name: "(a) bare ServeMux JSON", backend: "—", next: fixed(base + "/json"), check: wechatOK}), nil
}

// ---- backends ----

func benchBackend(backend string) ([]result, error) {
	var out []result
	var insertRate float64
	if want("c") {
		r, err := benchInsert(backend)
		if err != nil {
			return out, fmt.Errorf("(c): %w", err)
		}
		out = append(out, r)
		insertRate = r.rps
	}
	if want("b") || want("d") {
		rs, err := benchSuperapp(backend, insertRate)
		out = append(out, rs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// ---- (c) ----

// benchInsert opens the database exactly as superapp does (store.Open: same
// driver, DSN pragmas and pool sizes) and serves one autocommit INSERT per
// request into a table shaped like mp_sessions.
func benchInsert(backend string) (result, error) {
	d, err := benchdb.Fresh(backend, *flagPostgres)
	if err != nil {
		return result{}, err
	}
	defer d.Drop()
	ctx := context.Background()
	db, err := store.Open(ctx, d.Config)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE bench_inserts (
		id          TEXT PRIMARY KEY,
		appid       TEXT NOT NULL,
		openid      TEXT NOT NULL,
		session_key TEXT NOT NULL,
		updated_at  BIGINT NOT NULL)`); err != nil {
		return result{}, err
	}
	const insert = "INSERT INTO bench_inserts(id, appid, openid, session_key, updated_at) VALUES (?, ?, ?, ?, ?)"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /insert", func(w http.ResponseWriter, r *http.Request) {
		id := random.Hex(16)
		if _, err := db.Exec(r.Context(), insert, id, "wx0123456789abcdef", "o"+id[:27], random.Hex(12), time.Now().Unix()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
			ID      string `json:"id"`
		}{0, "ok", id})
	})
	base, stop, err := listen(mux)
	if err != nil {
		return result{}, err
	}
	defer stop()
	return measure(loadSpec{name: "(c) bare handler, 1 INSERT", backend: backend, next: fixed(base + "/insert"), check: wechatOK}), nil
}

// ---- (b) and (d) ----

func benchSuperapp(backend string, insertRate float64) ([]result, error) {
	d, err := benchdb.Fresh(backend, *flagPostgres)
	if err != nil {
		return nil, err
	}
	defer d.Drop()
	identity.PasswordIterations = 1000 // no passwords are checked here
	s, err := benchdb.Serve(d)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	srv, base := s.Server, s.URL
	ctx := context.Background()

	app, secret, err := srv.P.Accounts.CreateApp(ctx, account.MiniProgram, "Bench Mini Program", "")
	if err != nil {
		return nil, err
	}
	var out []result
	if want("b") {
		tok, err := accessToken(base, app.AppID, secret)
		if err != nil {
			return nil, err
		}
		u := base + "/cgi-bin/account/getaccountbasicinfo?access_token=" + url.QueryEscape(tok)
		out = append(out, measure(loadSpec{name: "(b) superapp getaccountbasicinfo", backend: backend, next: fixed(u), check: wechatOK}))
	}
	if want("d") {
		n := *flagCodes
		if n == 0 {
			rate := insertRate
			if rate == 0 {
				rate = 20000
			}
			// Batched exchanges can outrun single inserts (on PostgreSQL
			// about 2×); running out of codes counts as an error.
			n = int(4*rate*(*flagWarmup+*flagDuration).Seconds()) + 10000
		}
		t := time.Now()
		urls, err := mintCodes(ctx, srv, app.AppID, secret, base, n)
		if err != nil {
			return out, fmt.Errorf("mint codes: %w", err)
		}
		fmt.Printf("  (minted %d codes for %d users in %s)\n", len(urls), *flagUsers, time.Since(t).Round(time.Millisecond))
		var i atomic.Int64
		next := func() string {
			k := i.Add(1) - 1
			if k >= int64(len(urls)) {
				return ""
			}
			return urls[k]
		}
		out = append(out, measure(loadSpec{name: "(d) superapp jscode2session", backend: backend, next: next, check: func(body []byte) error {
			if err := wechatOK(body); err != nil {
				return err
			}
			if !bytes.Contains(body, []byte(`"session_key":"`)) {
				return fmt.Errorf("no session_key in %.200s", body)
			}
			return nil
		}}))
	}
	return out, nil
}

func accessToken(base, appid, secret string) (string, error) {
	resp, err := http.Get(base + "/cgi-bin/token?grant_type=client_credential&appid=" + appid + "&secret=" + secret)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("no access token: %s", raw)
	}
	return t.AccessToken, nil
}

// mintCodes creates the users and mints n wx.login codes through the
// platform (login.Service.MintCodes, in chunks of 4096 codes for 64 users),
// then shuffles them so that concurrent exchanges rarely touch the same
// user's session row. It returns the jscode2session URLs, one per code.
func mintCodes(ctx context.Context, srv *server.Server, appid, secret, base string, n int) ([]string, error) {
	users := make([]string, max(*flagUsers, 64))
	if err := parallel(len(users), func(i int) error {
		u, err := srv.P.Identity.CreateUser(ctx, identity.NewUser{Name: "bench user " + strconv.Itoa(i)})
		if err != nil {
			return err
		}
		users[i] = u.ID
		return nil
	}); err != nil {
		return nil, err
	}
	const chunk, usersPerChunk = 4096, 64
	prefix := base + "/sns/jscode2session?appid=" + appid + "&secret=" + secret + "&grant_type=authorization_code&js_code="
	urls := make([]string, n)
	err := parallel((n+chunk-1)/chunk, func(c int) error {
		lo, hi := c*chunk, min((c+1)*chunk, n)
		group := users[(c*usersPerChunk)%(len(users)-usersPerChunk+1):][:usersPerChunk]
		ids := make([]string, hi-lo)
		for i := range ids {
			ids[i] = group[i%usersPerChunk]
		}
		codes, err := srv.P.Login.MintCodes(ctx, appid, ids)
		if err != nil {
			return err
		}
		for i, code := range codes {
			urls[lo+i] = prefix + url.QueryEscape(code)
		}
		return nil
	})
	rand.Shuffle(len(urls), func(i, j int) { urls[i], urls[j] = urls[j], urls[i] })
	return urls, err
}

// parallel runs f(0..n-1) on 16 goroutines and returns the first error.
func parallel(n int, f func(i int) error) error {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || first.Load() != nil {
					return
				}
				if err := f(i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v := first.Load(); v != nil {
		return v.(error)
	}
	return nil
}

// ---- idle RSS ----

// idleRSS builds cmd/superapp, starts `superapp serve` on a fresh data
// directory, waits for /healthz, lets it idle 5 s, reads VmRSS and stops it
// with SIGTERM, which must end it with exit status 0.
func idleRSS() (string, error) {
	dir, err := os.MkdirTemp("", "superapp-bench-rss-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "superapp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/superapp")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/superapp (run from the module root): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill := func() { cmd.Process.Kill(); <-exited }
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			kill()
			return "", fmt.Errorf("superapp serve did not become healthy: %s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		kill()
		return "", err
	}
	var rss string
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		kill()
		return "", err
	}
	select {
	case err := <-exited:
		if err != nil {
			return "", fmt.Errorf("superapp serve did not exit cleanly after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		kill()
		return "", errors.New("superapp serve did not stop within 20 s of SIGTERM")
	}
	kb, _ := strconv.Atoi(strings.TrimSuffix(rss, " kB"))
	s := fmt.Sprintf("%.1f MiB (VmRSS %s), exited 0 after SIGTERM", float64(kb)/1024, rss)
	fmt.Println("  idle RSS:", s)
	return s, nil
}

// ---- CPU accounting ----

type cpuSample struct {
	at   time.Time
	busy float64 // seconds of CPU
}

// since is the CPU used between two samples, in percent of all cores.
func (c cpuSample) since(prev cpuSample) float64 {
	wall := c.at.Sub(prev.at).Seconds() * float64(runtime.NumCPU())
	if wall <= 0 {
		return 0
	}
	return 100 * (c.busy - prev.busy) / wall
}

// cpuNow samples this process's CPU time and the machine's busy time.
func cpuNow() (self, box cpuSample) {
	now := time.Now()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self = cpuSample{now, time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()}
	box = cpuSample{at: now}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return self, box
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[0] != "cpu" {
		return self, box
	}
	var busy float64
	for i, f := range fields[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		busy += v
	}
	box.busy = busy / 100 // USER_HZ
	return self, box
}

// waitIdle waits (up to -wait-idle) until the machine is quiet, so that
// other work does not take the cores from the measurement, and warns if it
// never is.
func waitIdle() {
	deadline := time.Now().Add(*flagWaitIdle)
	for {
		_, b0 := cpuNow()
		time.Sleep(500 * time.Millisecond)
		_, b1 := cpuNow()
		busy := b1.since(b0)
		if busy < 15 {
			return
		}
		if time.Now().After(deadline) {
			fmt.Printf("  WARNING: the machine is %.0f%% busy with other work; these numbers are not representative\n", busy)
			return
		}
	}
}
