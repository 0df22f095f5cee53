package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register("version", "print the version", func(args []string, stdout io.Writer) error {
		fs := newFlags("version", "version", stdout)
		if err := parse(fs, args); err != nil {
			return err
		}
		v := "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		fmt.Fprintln(stdout, "superapp", v)
		return nil
	})
}
