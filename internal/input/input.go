// Package input is the error every domain returns for bad input from a
// person or program, naming the field at fault, so each front (admin API,
// CLI, shell) can say which field was wrong and why.
package input

// Error is bad input in one field.
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Errorf returns an *Error for field.
func Errorf(field, msg string) *Error { return &Error{Field: field, Msg: msg} }
