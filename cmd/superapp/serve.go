package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"superapp/internal/server"
	"superapp/internal/store"
)

func init() {
	register("serve", "run the platform (embedded SQLite in --data, or PostgreSQL with --database)", func(args []string, stdout io.Writer) error {
		return serve(args, stdout, false)
	})
	register("dev", "run the platform in dev mode: one-click test users, relaxed OAuth domains; `dev DIR` also serves a mini program project with live reload", func(args []string, stdout io.Writer) error {
		if _, ok := projectDirArg(args); ok {
			return devProject(args, stdout)
		}
		return serve(args, stdout, true)
	})
}

func serve(args []string, stdout io.Writer, dev bool) error {
	name := "serve"
	if dev {
		name = "dev"
	}
	fs := newFlags(name, name+" [--addr 127.0.0.1:8080] [--data DIR] [--database postgres://…]", stdout)
	addr := fs.String("addr", env("SUPERAPP_ADDR", "127.0.0.1:8080"), "address to listen on (SUPERAPP_ADDR)")
	data := fs.String("data", env("SUPERAPP_DATA", "./superapp-data"), "data directory: SQLite database and operator key (SUPERAPP_DATA)")
	database := fs.String("database", env("SUPERAPP_DATABASE", ""), "PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/superapp; empty means embedded SQLite (SUPERAPP_DATABASE)")
	devFlag := fs.Bool("dev", envBool("SUPERAPP_DEV"), "dev mode (SUPERAPP_DEV)")
	logFormat := fs.String("log-format", env("SUPERAPP_LOG_FORMAT", "text"), "log format: text or json (SUPERAPP_LOG_FORMAT)")
	logLevel := fs.String("log-level", env("SUPERAPP_LOG_LEVEL", "info"), "log level: debug, info, warn or error (SUPERAPP_LOG_LEVEL)")
	policy := fs.String("policy", env("SUPERAPP_POLICY", ""), "JSON file overriding WeChat's default limits: {\"accounts\":{…},\"quota\":{\"daily\":{path: limit}}} (SUPERAPP_POLICY)")
	hosts := allowedHostsFlag(fs)
	trustXFF := fs.Bool("trust-forwarded-for", envBool("SUPERAPP_TRUST_FORWARDED_FOR"), "take the caller's IP from the last X-Forwarded-For entry, the one your reverse proxy appends (only when every request comes through it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, err := newLogger(*logFormat, *logLevel, os.Stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := server.Config{
		Addr: *addr, DataDir: *data, DatabaseURL: *database, Dev: dev || *devFlag,
		TrustForwardedFor: *trustXFF, PolicyFile: *policy, OperatorKey: os.Getenv("SUPERAPP_OPERATOR_KEY"),
		AllowedHosts: *hosts,
	}
	srv, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	where := "SQLite in " + *data
	if *database != "" {
		where = "PostgreSQL at " + store.RedactURL(*database)
	}
	if srv.OperatorKeyFile != "" {
		abs, _ := filepath.Abs(srv.OperatorKeyFile)
		slog.Info("created the operator key; CLI commands read it with --data", "file", abs)
	}
	return srv.Serve(ctx, func(a string) {
		fmt.Fprintf(stdout, "superapp is running on http://%s (%s). Stop with Ctrl-C.\n", a, where)
	})
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: use text or json", format)
}
