package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

var errHelp = errors.New("help shown")

// newFlags makes a flag set whose --help prints to stdout and whose errors
// become usage errors.
func newFlags(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: superapp %s\n\n", usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return errHelp
		}
		return usagef("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return usagef("--%s is required (see --help)", name)
	}
	return nil
}

// appFlags starts the flags of a command on one mini program through the
// server: --appid (checked by parseApp) and the client flags.
func appFlags(name, usage string, stdout io.Writer) (*flag.FlagSet, *string, clientFlags) {
	fs := newFlags(name, usage, stdout)
	appid := fs.String("appid", "", "the mini program")
	return fs, appid, addClientFlags(fs)
}

// parseApp parses an appFlags command's args; --appid is required.
func parseApp(fs *flag.FlagSet, args []string, appid *string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	return required("appid", *appid)
}

// parseWithID parses flags around a command's ID argument (what: "audit
// id"; list: the command listing them), so both `approve 3 --reason x` and
// `approve --reason x 3` work; the ID is a positive integer.
func parseWithID(fs *flag.FlagSet, args []string, what, list string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", parse(fs, args)
	}
	if fs.NArg() == 0 {
		return "", usagef("the %s is required (see `superapp %s`)", what, list)
	}
	id := fs.Arg(0)
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return "", usagef("%s %q: must be a positive integer (see `superapp %s`)", what, id, list)
	}
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return id, nil
}
