// Command upload is the upload benchmark (docs/benchmarks.md, "Mini program
// platform (issue 5)" → "Upload"): a ~2 MB mini program (the generated "big"
// fixture) goes from a project directory to a stored dev version, as
// `superapp upload` does it — pack.Build and the source zip on the client,
// then files/missing, PUT files/{hash} for each missing file and versions
// over loopback HTTP to an in-process server, every request signed with the
// app's upload key. Measured per run, split into
//
//	pack    pack.Build + upload.SourceZip (client CPU)
//	server  from the first request until the dev version is stored (HTTP,
//	        signature checks, hashing, database writes), itself split by
//	        endpoint: missing, put (all files), version
//
// for a first upload (a fresh database per run: every file is new) and a
// re-upload of the same bytes (nothing new). Run it from the module root:
//
//	go run ./bench/upload [-runs 7] [-project DIR] [-database postgres://…]
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"superapp/internal/account"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/miniprogram/upload"
	"superapp/internal/server"
)

var (
	flagRuns     = flag.Int("runs", 7, "measured runs per scenario (medians need ≥ 5)")
	flagProject  = flag.String("project", "", "upload this project instead of generating the big fixture")
	flagWaitIdle = flag.Duration("wait-idle", 2*time.Minute, "first wait up to this long for the load average to drop below the CPU count")
	flagDatabase = flag.String("database", "", "PostgreSQL URL (default: SQLite in a temporary directory per run); PostgreSQL keeps its rows between runs, so there only one first upload is measured")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/upload:", err)
		os.Exit(1)
	}
}

// phases times requests by endpoint, as the client sees them.
type phases struct {
	mu sync.Mutex
	d  map[string]time.Duration
	rt http.RoundTripper
}

func (p *phases) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := p.rt.RoundTrip(r)
	if err == nil {
		// The answer is read by the caller; small JSON, read here so the
		// time includes it.
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		err = rerr
	}
	kind := "put"
	switch {
	case strings.HasSuffix(r.URL.Path, "/files/missing"):
		kind = "missing"
	case strings.HasSuffix(r.URL.Path, "/versions"):
		kind = "version"
	}
	p.mu.Lock()
	p.d[kind] += time.Since(start) // puts overlap (4 at once): summed, see "server" for wall time
	p.mu.Unlock()
	return resp, err
}

type sample struct {
	pack, server           time.Duration
	packBuild, sourceZip   time.Duration
	packCPU, serverCPU     time.Duration // process CPU (user + system), client and server together
	missing, put, version  time.Duration
	files, newFiles        int
	newBytes, packageBytes int64
}

// env is one server with one mini program and its upload key.
type env struct {
	srv    *server.Server
	hs     *httptest.Server
	client *upload.Client
	ph     *phases
	close  func()
}

func newEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "superapp-bench-upload-")
	if err != nil {
		return nil, err
	}
	srv, err := server.New(ctx, server.Config{DataDir: dir, DatabaseURL: *flagDatabase, OperatorKey: "bench-upload-operator-key-not-secret"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	hs := httptest.NewServer(srv.Handler())
	e := &env{srv: srv, hs: hs, close: func() { hs.Close(); srv.P.Close(); os.RemoveAll(dir) }}
	app, _, err := srv.P.Accounts.CreateApp(ctx, account.MiniProgram, "Bench Shop", "")
	if err != nil {
		e.close()
		return nil, err
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, err := upload.NewKeys(srv.P.DB, srv.P.MiniPrograms).Create(ctx, app.AppID, base64.StdEncoding.EncodeToString(pub), nil, false)
	if err != nil {
		e.close()
		return nil, err
	}
	e.ph = &phases{d: map[string]time.Duration{}, rt: http.DefaultTransport}
	e.client = &upload.Client{Server: hs.URL, Key: &upload.KeyFile{AppID: app.AppID, KeyID: key.KeyID, Key: priv},
		HTTP: &http.Client{Transport: e.ph, Timeout: time.Minute}}
	return e, nil
}

// once packs the project and uploads it.
func (e *env) once(ctx context.Context, dir, label string) (sample, error) {
	var s sample
	cpu0 := cpuTime()
	start := time.Now()
	build, err := pack.Build(dir, pack.Options{AppID: e.client.Key.AppID})
	if err != nil {
		return s, err
	}
	s.packBuild = time.Since(start)
	src, err := upload.SourceZip(dir)
	if err != nil {
		return s, err
	}
	s.pack = time.Since(start)
	s.sourceZip = s.pack - s.packBuild
	cpu1 := cpuTime()
	s.packCPU = cpu1 - cpu0
	clear(e.ph.d)
	start = time.Now()
	res, err := e.client.Upload(ctx, upload.Input{Build: build, Source: src, UserVersion: label}, nil)
	if err != nil {
		return s, err
	}
	s.server = time.Since(start)
	s.serverCPU = cpuTime() - cpu1
	s.missing, s.put, s.version = e.ph.d["missing"], e.ph.d["put"], e.ph.d["version"]
	s.files, s.newFiles, s.newBytes, s.packageBytes = res.Files, res.NewFiles, res.NewBytes, res.Version.Bytes
	return s, nil
}

func run() error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the module root: go run ./bench/upload")
	}
	if *flagRuns < 1 {
		return errors.New("-runs must be ≥ 1")
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("upload benchmark: %s, %d CPUs, %d runs, load average %s\n", runtime.Version(), runtime.NumCPU(), *flagRuns,
		strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))

	dir := *flagProject
	if dir == "" {
		tmp, err := os.MkdirTemp("", "superapp-bench-upload-big-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "big")
		gen := exec.Command("go", "run", "testdata/miniprograms/big/gen.go", "-out", dir)
		gen.Stderr = os.Stderr
		out, err := gen.Output()
		if err != nil {
			return fmt.Errorf("generating the big fixture: %w", err)
		}
		fmt.Print(string(out))
	}

	if *flagWaitIdle > 0 {
		waitIdle(*flagWaitIdle)
	}
	// One unmeasured upload warms the compilers and the code paths.
	warm, err := newEnv(ctx)
	if err != nil {
		return err
	}
	if _, err := warm.once(ctx, dir, "warm-up"); err != nil {
		warm.close()
		return err
	}
	warm.close()

	var first, again []sample
	for i := range *flagRuns {
		if *flagDatabase != "" && i > 0 {
			break // PostgreSQL keeps its rows between runs: only the first run is a first upload
		}
		e, err := newEnv(ctx)
		if err != nil {
			return err
		}
		s, err := e.once(ctx, dir, fmt.Sprintf("1.0.%d", i))
		if err != nil {
			e.close()
			return err
		}
		first = append(first, s)
		if i == 0 {
			for j := range *flagRuns {
				s, err := e.once(ctx, dir, fmt.Sprintf("1.1.%d", j))
				if err != nil {
					e.close()
					return err
				}
				again = append(again, s)
			}
		}
		e.close()
	}
	report("first upload (every file new)", first)
	report("re-upload (same bytes)", again)
	return nil
}

// cpuTime is the process's CPU time so far (user + system): on a shared
// machine it moves much less with other load than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitIdle waits up to limit for the machine's 1-minute load average to
// drop below its CPU count, so runs are not measured on a saturated box.
func waitIdle(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		raw, _ := os.ReadFile("/proc/loadavg")
		var l1 float64
		fmt.Sscan(string(raw), &l1)
		if l1 < float64(runtime.NumCPU()) {
			return
		}
		time.Sleep(5 * time.Second)
	}
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func report(title string, samples []sample) {
	pick := func(f func(sample) time.Duration) []time.Duration {
		out := make([]time.Duration, len(samples))
		for i, s := range samples {
			out[i] = f(s)
		}
		return out
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%7.1f", float64(d.Microseconds())/1000) }
	s0 := samples[0]
	fmt.Printf("\n%s — %d runs; %d files (%d sent, %s), packages %s\n", title, len(samples), s0.files, s0.newFiles,
		pack.FormatSize(s0.newBytes), pack.FormatSize(s0.packageBytes))
	fmt.Printf("  %-26s %8s %8s %8s\n", "ms", "median", "min", "max")
	rows := []struct {
		name string
		f    func(sample) time.Duration
	}{
		{"pack (client)", func(s sample) time.Duration { return s.pack }},
		{"  pack.Build", func(s sample) time.Duration { return s.packBuild }},
		{"  source zip", func(s sample) time.Duration { return s.sourceZip }},
		{"  pack CPU", func(s sample) time.Duration { return s.packCPU }},
		{"server (wall)", func(s sample) time.Duration { return s.server }},
		{"  files/missing", func(s sample) time.Duration { return s.missing }},
		{"  PUT files (summed)", func(s sample) time.Duration { return s.put }},
		{"  versions", func(s sample) time.Duration { return s.version }},
		{"  server CPU (both sides)", func(s sample) time.Duration { return s.serverCPU }},
		{"total pack → dev version", func(s sample) time.Duration { return s.pack + s.server }},
	}
	for _, r := range rows {
		xs := pick(r.f)
		fmt.Printf("  %-26s %8s %8s %8s\n", r.name, ms(median(xs)), ms(slices.Min(xs)), ms(slices.Max(xs)))
	}
	total := median(pick(func(s sample) time.Duration { return s.pack + s.server }))
	verdict := "meets"
	if total > 500*time.Millisecond {
		verdict = "MISSES"
	}
	fmt.Printf("  target ≤ 500 ms (median total): %s\n", verdict)
}
