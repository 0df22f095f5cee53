// Package input is the error every domain returns for bad input from a
// person or program, naming the field at fault, so each front (admin API,
// CLI, shell) can say which field was wrong and why.
package input

import (
	"strings"
	"unicode/utf8"
)

// Error is bad input in one field.
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Storable reports whether s is text every backend can store and compare:
// valid UTF-8 without NUL (PostgreSQL rejects both outright).
func Storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// Errorf returns an *Error for field.
func Errorf(field, msg string) *Error { return &Error{Field: field, Msg: msg} }
