package main

// `superapp dev DIR`: the mini program developer loop. It runs the platform
// in dev mode on embedded SQLite, makes sure the project has a mini program
// and the developer a test user, publishes the project as its dev build and
// rebuilds on every save; the open shell pages reload the mini program (or
// show the compile errors) by themselves (internal/miniprogram/devloop).

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	qrcode "github.com/skip2/go-qrcode"

	"superapp/internal/miniprogram/devloop"
	"superapp/internal/server"
)

// devFlagTakesValue names the flags of `dev` (both forms) that take a
// value, so that projectDirArg can skip the value.
var devFlagTakesValue = map[string]bool{
	"addr": true, "data": true, "database": true, "log-format": true, "log-level": true, "policy": true,
	"appid": true, "user": true, "allowed-host": true,
}

// allowedHosts is --allowed-host: Host names a dev server answers besides
// localhost and its own address, repeatable and comma-separated, starting
// from SUPERAPP_ALLOWED_HOSTS.
type allowedHosts []string

func (a *allowedHosts) String() string { return strings.Join(*a, ",") }

func (a *allowedHosts) Set(v string) error {
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			*a = append(*a, h)
		}
	}
	return nil
}

// allowedHostsFlag adds --allowed-host to fs (serve and dev share it).
func allowedHostsFlag(fs *flag.FlagSet) *allowedHosts {
	a := &allowedHosts{}
	a.Set(os.Getenv("SUPERAPP_ALLOWED_HOSTS"))
	fs.Var(a, "allowed-host", "in dev mode, also answer requests for this Host name (repeatable or comma-separated; SUPERAPP_ALLOWED_HOSTS); "+
		"otherwise only localhost, loopback and the listening address are answered, against DNS rebinding")
	return a
}

// projectDirArg finds the first argument that is not a flag or a flag's
// value; `superapp dev` runs the developer loop when it names a directory.
func projectDirArg(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return isDir(args[i+1])
			}
			return "", false
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && devFlagTakesValue[name] {
				i++
			}
			continue
		}
		return isDir(a)
	}
	return "", false
}

func isDir(p string) (string, bool) {
	st, err := os.Stat(p)
	return p, err == nil && st.IsDir()
}

func devProject(args []string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDevProject(ctx, args, stdout)
}

// runDevProject is `superapp dev DIR` until ctx ends.
func runDevProject(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("dev", "dev DIR [--addr 127.0.0.1:8080] [--data DIR] [--appid APPID] [--user NAME] [--qr]", stdout)
	addr := fs.String("addr", env("SUPERAPP_ADDR", "127.0.0.1:8080"), "address to listen on (SUPERAPP_ADDR)")
	data := fs.String("data", "", "data directory (SQLite database, operator key); empty means a temporary one, deleted on exit")
	appidFlag := fs.String("appid", "", "the mini program's appid (default: project.config.json's appid)")
	userName := fs.String("user", "Developer", "the test user to sign in as")
	forceQR := fs.Bool("qr", false, "print the QR code even when stdout is not a terminal or NO_COLOR is set")
	logLevel := fs.String("log-level", env("SUPERAPP_LOG_LEVEL", "warn"), "server log level: debug, info, warn or error (SUPERAPP_LOG_LEVEL)")
	hosts := allowedHostsFlag(fs)
	dir, err := parseWithDir(fs, args)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, ok := isDir(abs); !ok {
		return usagef("%s is not a directory", dir)
	}
	logger, err := newLogger("text", *logLevel, os.Stderr)
	if err != nil {
		return err
	}
	restoreLog := setDefaultLogger(logger)
	defer restoreLog()

	dataDir := *data
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "superapp-dev-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	info := devloop.ReadProject(abs)
	if *appidFlag != "" {
		info.AppID = *appidFlag
	}
	srv, err := server.New(ctx, server.Config{Addr: *addr, DataDir: dataDir, Dev: true, OperatorKey: os.Getenv("SUPERAPP_OPERATOR_KEY"),
		AllowedHosts: *hosts})
	if err != nil {
		return err
	}
	p := srv.P
	app, err := devloop.EnsureApp(ctx, p, info.AppID, info.Name)
	if err != nil {
		p.Close()
		return err
	}
	user, err := devloop.EnsureTestUser(ctx, p, *userName)
	if err != nil {
		p.Close()
		return err
	}
	tty := isTerminal(stdout)
	color := tty && os.Getenv("NO_COLOR") == ""
	loop := devloop.New(devloop.Options{Dir: abs, AppID: app.AppID, Registry: p.MiniPrograms, Log: stdout, Color: color})

	return srv.Serve(ctx, func(bound string) {
		link := "http://" + browsable(bound) + "/miniprogram/" + url.PathEscape(app.AppID)
		fmt.Fprintf(stdout, "superapp dev: %s (appid %s", info.Name, app.AppID)
		if info.AppID != "" && info.AppID != app.AppID {
			fmt.Fprintf(stdout, ", for project appid %s", info.AppID)
		}
		fmt.Fprintf(stdout, ")\n  open    %s\n", link)
		fmt.Fprintf(stdout, "  sign in as %q: phone %s, password %s (new each run) — or tap \"Test user\" for a fresh one\n", user.User.Name, user.Phone, user.Password)
		if (tty && color) || *forceQR {
			fmt.Fprint(stdout, terminalQR(link, color))
		}
		loop.Build(ctx, nil)
		fmt.Fprintf(stdout, "watching %s for changes; Ctrl-C stops\n", abs)
		go loop.Run(ctx)
	})
}

// browsable turns a listening address into one a browser can open
// (0.0.0.0 and [::] listen everywhere, including on loopback).
func browsable(addr string) string {
	for _, any := range []string{"0.0.0.0:", "[::]:"} {
		if strings.HasPrefix(addr, any) {
			return "127.0.0.1:" + strings.TrimPrefix(addr, any)
		}
	}
	return addr
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// terminalQR draws text's QR code with half blocks: each character cell
// holds two modules, top and bottom, so the code stays about square. With
// color the cells are painted black on white, right however the terminal
// is themed; without, dark modules are drawn as ink (for a light terminal).
func terminalQR(text string, color bool) string {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return ""
	}
	q.DisableBorder = false
	bits := q.Bitmap()
	var b strings.Builder
	for y := 0; y < len(bits); y += 2 {
		if color {
			b.WriteString("\x1b[30;47m") // black ink on white paper
		}
		for x := range bits[y] {
			top := bits[y][x]
			bottom := y+1 < len(bits) && bits[y+1][x]
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		if color {
			b.WriteString("\x1b[0m")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// setDefaultLogger makes l the default logger until the returned func.
func setDefaultLogger(l *slog.Logger) func() {
	prev := slog.Default()
	slog.SetDefault(l)
	return func() { slog.SetDefault(prev) }
}
