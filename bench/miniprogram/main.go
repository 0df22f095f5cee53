// Command miniprogram is the mini program runtime benchmark (docs/benchmarks.md,
// "Mini program runtime"). In one run it measures
//
//	cold    cold and warm start, in WeChat's terms, of every fixture in
//	        testdata/miniprograms and of the generated ~2 MB "big" package, in
//	        headless Chromium against `superapp serve --dev`. Cold (the app in
//	        no memory): a tap in an idle shell's Discover recent list, with
//	        the package downloaded or already in the HTTP cache, and by
//	        navigating the page to /miniprogram/<appid> (shell boot
//	        included); warm: the app brought back from the background;
//	compile the WXML/WXS/WXSS compilers (and pack.Build) over the fixture
//	        corpus and the component libraries, beside WeChat's wcc/wcsc on the
//	        same files;
//	setdata setData of a 1,000-item list (testdata/miniprograms/bench-setdata)
//	        until the view's DOM shows it.
//
// The browser part is browser.mjs (node + playwright-core from web/shell);
// every browser timestamp is taken inside the browser. Run it from the
// module root:
//
//	go run ./bench/miniprogram [-runs 7] [-only cold,compile,setdata]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"superapp/internal/miniprogram/pack"
)

var (
	flagRuns         = flag.Int("runs", 7, "measured runs per scenario (medians need ≥ 5)")
	flagOnly         = flag.String("only", "cold,compile,setdata", "scenarios to run, comma-separated subset of cold,compile,setdata")
	flagChromium     = flag.String("chromium", envOr("CHROMIUM", "/usr/bin/chromium"), "the Chromium binary playwright drives")
	flagChromiumArgs = flag.String("chromium-args", "", "extra Chromium switches, space-separated (for experiments)")
	flagNode         = flag.String("node", "node", "node binary for browser.mjs")
	flagWCC          = flag.String("wcc", "internal/miniprogram/fidelity/oracle/node_modules/miniprogram-compiler/bin/linux",
		"directory holding WeChat's wcc and wcsc (npm miniprogram-compiler@0.2.3; `npm ci` in internal/miniprogram/fidelity/oracle)")
	flagLibs = flag.String("libs", "internal/miniprogram/libcompat/npm/node_modules",
		"node_modules holding tdesign-miniprogram, @vant/weapp and weui-miniprogram (`npm ci --ignore-scripts` in internal/miniprogram/libcompat/npm)")
	flagFixtures = flag.String("fixtures", "", "launch only these fixtures (comma-separated names; default all)")
	flagWaitIdle = flag.Duration("wait-idle", time.Minute, "before each part, wait up to this long for the machine to be below 20% busy")
	flagJSON     = flag.String("json", "", "also write every raw sample to this file")
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "miniprogram:", err)
		os.Exit(1)
	}
}

func want(s string) bool { return slices.Contains(strings.Split(*flagOnly, ","), s) }

// fixture is one mini program the benchmark launches or compiles.
type fixture struct {
	Name string
	Dir  string
	// Selector is an element of the first page that is in its first
	// render whatever the data: "rendered" means it is in the page's
	// shadow root.
	Selector string
	Launch   bool // part of the cold/warm start table
}

// fixtures are testdata/miniprograms' projects, then the generated big one.
func fixtures(bigDir string) []fixture {
	const td = "testdata/miniprograms/"
	return []fixture{
		{"todo", td + "todo", "#to-stats", true},
		{"shop", td + "shop", "#product-106", true},
		{"components", td + "components", "#log", true},
		{"form", td + "form", "#reset-count", true},
		{"news", td + "news", "#refresh-count", true},
		{"apitour", td + "apitour", "#observed", true},
		{"malicious", td + "malicious", "", false},
		{"bench-setdata", td + "bench-setdata", "", false},
		{"big", bigDir, ".list > .more", true},
	}
}

func run() error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the module root: go run ./bench/miniprogram")
	}
	if *flagRuns < 1 {
		return errors.New("-runs must be ≥ 1")
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("mini program benchmark: %s, %d CPUs, %d runs, load average %s\n",
		runtime.Version(), runtime.NumCPU(), *flagRuns, strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))

	tmp, err := os.MkdirTemp("", "superapp-bench-mp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bigDir := filepath.Join(tmp, "big")
	gen := exec.Command("go", "run", "testdata/miniprograms/big/gen.go", "-out", bigDir)
	gen.Stderr = os.Stderr
	out, err := gen.Output()
	if err != nil {
		return fmt.Errorf("generating the big fixture: %w", err)
	}
	fmt.Print(string(out))
	fxs := fixtures(bigDir)

	var raw = map[string]any{}
	if want("compile") {
		r, err := benchCompile(fxs)
		if err != nil {
			return fmt.Errorf("compile: %w", err)
		}
		raw["compile"] = r
	}
	if want("cold") || want("setdata") {
		r, err := benchBrowser(tmp, fxs)
		if err != nil {
			return err
		}
		raw["browser"] = r
	}
	if *flagJSON != "" {
		b, _ := json.MarshalIndent(raw, "", " ")
		if err := os.WriteFile(*flagJSON, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// coldApp is a published fixture browser.mjs launches.
type coldApp struct {
	Name     string `json:"name"`
	AppID    string `json:"appid"`
	Selector string `json:"selector"`
}

// server is a running `superapp serve --dev` on a fresh data directory.
type server struct {
	bin, data, base string
	cmd             *exec.Cmd
	log             bytes.Buffer
}

func startServer(tmp string) (*server, error) {
	s := &server{bin: filepath.Join(tmp, "superapp"), data: filepath.Join(tmp, "data")}
	build := exec.Command("go", "build", "-o", s.bin, "./cmd/superapp")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/superapp: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	s.base = "http://" + addr
	s.cmd = exec.Command(s.bin, "serve", "--dev", "--addr", addr, "--data", s.data)
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("superapp did not become healthy:\n%s", s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
}

// cli runs the superapp command line against the server.
func (s *server) cli(args ...string) ([]byte, error) {
	cmd := exec.Command(s.bin, append(args, "--server", s.base, "--data", s.data)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("superapp %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// publish creates a mini program and publishes dir as its dev build.
func (s *server) publish(name, dir string) (string, error) {
	out, err := s.cli("app", "create", "--kind", "miniprogram", "--name", name)
	if err != nil {
		return "", err
	}
	var created struct {
		AppID string `json:"appid"`
	}
	if err := json.Unmarshal(out, &created); err != nil || created.AppID == "" {
		return "", fmt.Errorf("app create answered %q", out)
	}
	if _, err := s.cli("mp", "publish", "--appid", created.AppID, dir); err != nil {
		return "", err
	}
	return created.AppID, nil
}

func benchBrowser(tmp string, fxs []fixture) (*browserResult, error) {
	srv, err := startServer(tmp)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	cfg := struct {
		Base     string             `json:"base"`
		Chromium string             `json:"chromium"`
		Args     []string           `json:"chromiumArgs"`
		Runs     int                `json:"runs"`
		Cold     []coldApp          `json:"cold"`
		SetData  *map[string]string `json:"setdata"`
	}{Base: srv.base, Chromium: *flagChromium, Args: strings.Fields(*flagChromiumArgs), Runs: *flagRuns}
	sizes := map[string]int64{}
	if want("cold") {
		for _, f := range fxs {
			if !f.Launch || (*flagFixtures != "" && !slices.Contains(strings.Split(*flagFixtures, ","), f.Name)) {
				continue
			}
			appid, err := srv.publish(f.Name, f.Dir)
			if err != nil {
				return nil, err
			}
			res, err := pack.Build(f.Dir, pack.Options{AppID: appid})
			if err != nil {
				return nil, err
			}
			sizes[f.Name] = res.Report[0].Bytes
			cfg.Cold = append(cfg.Cold, coldApp{f.Name, appid, f.Selector})
		}
	}
	if want("setdata") {
		appid, err := srv.publish("bench-setdata", "testdata/miniprograms/bench-setdata")
		if err != nil {
			return nil, err
		}
		cfg.SetData = &map[string]string{"appid": appid}
	}
	cfgPath := filepath.Join(tmp, "browser.json")
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return nil, err
	}
	waitIdle("browser")
	cmd := exec.Command(*flagNode, "bench/miniprogram/browser.mjs", cfgPath)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("browser.mjs: %w", err)
	}
	var r browserResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("browser.mjs output: %w", err)
	}
	fmt.Printf("\nChromium %s, headless, 390×780 viewport, loopback\n", r.Chromium)
	if r.Cold != nil {
		reportCold(cfg.Cold, r.Cold, sizes)
	}
	if r.SetData != nil {
		reportSetData(r.SetData)
	}
	return &r, nil
}
