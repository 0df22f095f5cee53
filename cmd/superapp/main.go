// Command superapp is the super-app platform in one binary: `serve` runs it,
// the other commands operate a running server through its admin and
// simulation APIs.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// usageError is bad command-line input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout io.Writer) error) {
	commands[name] = command{summary, run}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	// Commands are one or two words ("serve", "app create").
	name := args[0]
	rest := args[1:]
	if _, ok := commands[name]; !ok && len(args) > 1 {
		name, rest = args[0]+" "+args[1], args[2:]
	}
	if len(args) > 2 {
		if _, ok := commands[args[0]+" "+args[1]+" "+args[2]]; ok {
			name, rest = args[0]+" "+args[1]+" "+args[2], args[3:]
		}
	}
	cmd, ok := commands[name]
	if !ok {
		if group := groupCommands(args[0]); len(group) > 0 {
			if len(args) == 1 || args[1] == "-h" || args[1] == "--help" {
				fmt.Fprintf(stdout, "superapp %s: subcommands\n\n", args[0])
				for _, n := range group {
					fmt.Fprintf(stdout, "  superapp %-28s %s\n", n, commands[n].summary)
				}
				if len(args) == 1 {
					return 2
				}
				return 0
			}
			fmt.Fprintf(stderr, "superapp: unknown command %q; run 'superapp %s --help'\n", strings.Join(args[:2], " "), args[0])
			return 2
		}
		fmt.Fprintf(stderr, "superapp: unknown command %q; run 'superapp --help'\n", args[0])
		return 2
	}
	if err := cmd.run(rest, stdout); err != nil {
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "superapp "+name+": "+err.Error())
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func groupCommands(prefix string) []string {
	var out []string
	for n := range commands {
		if strings.HasPrefix(n, prefix+" ") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, `superapp — official accounts and mini programs on one self-hosted, WeChat-compatible server.

Usage: superapp <command> [flags]     (superapp <command> --help for its flags)`)
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-30s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `
Environment: SUPERAPP_ADDR, SUPERAPP_DATA, SUPERAPP_DATABASE, SUPERAPP_DEV, SUPERAPP_LOG_FORMAT,
SUPERAPP_LOG_LEVEL, SUPERAPP_SERVER, SUPERAPP_OPERATOR_KEY stand in for the flags of the same name.`)
}
