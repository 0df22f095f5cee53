// Package diag is how the mini program compilers report problems: each
// error names the file (package-root-relative), and where it has one, the
// line and column (1-based, see Pos) of the problem.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in one file. Line 0 means the problem is the file as
// a whole (its size, say); Col 0 means the line as a whole.
type Error struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	Msg  string `json:"message"`
}

func (e Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Errorf builds an Error.
func Errorf(file string, line, col int, format string, a ...any) Error {
	return Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

// List is every problem found; compilers report all they can, not just the
// first.
type List []Error

func (l List) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err is nil for an empty list, else the list sorted by file, line, column.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return l
}

// Pos turns a byte offset in src into a 1-based line and a 1-based column
// counted in characters (runes), as editors show them.
func Pos(src []byte, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	line, col = 1, 1
	for _, r := range string(src[:offset]) {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
