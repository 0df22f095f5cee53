// Package devloop is the mini program developer loop behind `superapp dev
// DIR`: it packs a project, publishes the build in-process as the mini
// program's dev build, tells the shell's open pages (host.DevHub), and
// watches the project to do it again on every save — like WeChat
// DevTools' "compile": a good build cold-starts the mini program in the
// page, a failed one shows its errors there and in the terminal while the
// last good build keeps running.
package devloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/miniprogram/project"
)

// Defaults of Options.
const (
	DefaultInterval = 300 * time.Millisecond
	DefaultDebounce = 150 * time.Millisecond
)

// Options configure a Loop.
type Options struct {
	Dir      string // the project directory (absolute)
	AppID    string // the platform's appid the builds are for
	Registry *host.Registry
	// Interval is how often the project is scanned for changes; Debounce how
	// long it must stay quiet after a change before a rebuild.
	Interval time.Duration
	Debounce time.Duration
	// Log receives one line per build, or the build's errors one per line.
	Log io.Writer
	// Color makes errors red (a terminal that wants colour).
	Color bool
}

// Result is one build attempt.
type Result struct {
	// Build is the published build; nil when the attempt failed.
	Build  *host.Build
	Errors []diag.Error
	// Elapsed is the time the pack and publish took.
	Elapsed time.Duration
	Report  []pack.PackageSize
	// Changed is false when the build equals the previous good one.
	Changed bool
	// Files are the changed files that caused the build (nil for the first).
	Files []string
}

// Loop is a project's developer loop.
type Loop struct {
	opts     Options
	hub      *host.DevHub
	watcher  *Watcher
	lastHash string // the last good build's manifest hash
	failing  bool   // the latest attempt failed
	builds   int
}

// New returns a loop; nothing is built until Build or Run.
func New(opts Options) *Loop {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	// The baseline is the project now, before the first build, so that a
	// save between that build and Run is not missed.
	return &Loop{opts: opts, hub: opts.Registry.DevHub(), watcher: NewWatcher(opts.Dir, opts.Interval, opts.Debounce)}
}

// Build packs the project, publishes it, tells the pages and logs the
// outcome. A failed build publishes nothing.
func (l *Loop) Build(ctx context.Context, changed []string) Result {
	start := time.Now()
	res := Result{Files: changed}
	built, err := pack.Build(l.opts.Dir, pack.Options{AppID: l.opts.AppID})
	if err == nil {
		res.Report = built.Report
		res.Build, err = l.opts.Registry.Publish(ctx, l.opts.AppID, built, l.opts.Dir)
	}
	res.Elapsed = time.Since(start)
	l.builds++
	if err != nil {
		res.Build = nil
		res.Errors = diagnostics(err)
		l.failing = true
		l.hub.Publish(host.DevEvent{Type: "error", AppID: l.opts.AppID, Errors: res.Errors})
		l.log(res)
		return res
	}
	res.Changed = res.Build.ManifestHash != l.lastHash
	// An unchanged build after a failure still clears the pages' errors.
	if res.Changed || l.failing {
		l.hub.Publish(host.DevEvent{Type: "build", AppID: l.opts.AppID, Hash: res.Build.ManifestHash})
	}
	l.lastHash = res.Build.ManifestHash
	l.failing = false
	l.log(res)
	return res
}

// Run watches the project and rebuilds after each settled burst of
// changes since New, until ctx ends. It does not build first: call Build
// for that.
func (l *Loop) Run(ctx context.Context) error {
	w := l.watcher
	timer := time.NewTimer(l.opts.Interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-timer.C:
			changed, next := w.Poll(now)
			if changed != nil {
				l.Build(ctx, changed)
			}
			timer.Reset(next)
		}
	}
}

// diagnostics lists an error's problems; one that names no file (a
// publish refused by the registry) becomes a problem of the project.
func diagnostics(err error) []diag.Error {
	var list diag.List
	var one diag.Error
	switch {
	case errors.As(err, &list):
		return append([]diag.Error(nil), list...)
	case errors.As(err, &one):
		return []diag.Error{one}
	}
	return []diag.Error{{File: project.Whole, Msg: err.Error()}}
}

func (l *Loop) log(r Result) {
	w := l.opts.Log
	ms := r.Elapsed.Milliseconds()
	verb := "rebuilt"
	if l.builds == 1 {
		verb = "built"
	}
	if r.Build == nil {
		fmt.Fprintf(w, "build failed in %d ms with %d error(s); the last good build keeps running:\n", ms, len(r.Errors))
		for _, e := range r.Errors {
			if l.opts.Color {
				fmt.Fprintf(w, "\x1b[31m%s\x1b[0m\n", e.Error())
			} else {
				fmt.Fprintln(w, e.Error())
			}
		}
		return
	}
	if !r.Changed && l.builds > 1 {
		fmt.Fprintf(w, "%s in %d ms: no change to the build\n", verb, ms)
		return
	}
	fmt.Fprintf(w, "%s in %d ms (%s)\n", verb, ms, Sizes(r.Report))
}

// Sizes describes a build's packages: "main 120 KB, 2 packages".
func Sizes(report []pack.PackageSize) string {
	var main int64
	for _, p := range report {
		if p.Root == "" {
			main = p.Bytes
		}
	}
	n := fmt.Sprintf("%d packages", len(report))
	if len(report) == 1 {
		n = "1 package"
	}
	return strings.Join([]string{"main " + kb(main), n}, ", ")
}

func kb(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%d KB", (n+512)/1024)
}
