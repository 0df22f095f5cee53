package project

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"superapp/internal/miniprogram/diag"
)

// JSONFile is one parsed configuration file, kept with its source so that
// errors about its content can name a line and column.
type JSONFile struct {
	Path  string         // package-root-relative ("app.json", "pages/a/a.json")
	Src   []byte         // as read
	Value map[string]any // numbers are json.Number, so they re-encode unchanged
	pos   map[string]int // byte offset of each member key / array element, by key path
}

// parseJSON parses src, which must hold one JSON object. A syntax error is
// reported at the offending character.
func parseJSON(path string, src []byte) (*JSONFile, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		// Decode stops after the first value; anything but blanks after it is
		// an error, as it is for WeChat's tools.
		if off := int(dec.InputOffset()); skipBlank(src, off) < len(src) {
			line, col := diag.Pos(src, skipBlank(src, off))
			return nil, diag.Errorf(path, line, col, "invalid JSON: unexpected content after the top-level value")
		}
	}
	if err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		offset := len(src)
		msg := err.Error()
		switch {
		case errors.As(err, &syn):
			// Offset counts the bytes read, the bad one included.
			offset = int(syn.Offset) - 1
		case errors.As(err, &typ):
			offset = int(typ.Offset) - 1
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			msg = "unexpected end of JSON input"
		}
		if offset < 0 {
			offset = 0
		}
		line, col := diag.Pos(src, offset)
		return nil, diag.Errorf(path, line, col, "invalid JSON: %s", msg)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		line, col := diag.Pos(src, skipBlank(src, 0))
		return nil, diag.Errorf(path, line, col, "invalid JSON: the file must hold an object")
	}
	f := &JSONFile{Path: path, Src: src, Value: obj, pos: map[string]int{}}
	f.index()
	return f, nil
}

func skipBlank(src []byte, i int) int {
	for i < len(src) && strings.IndexByte(" \t\r\n", src[i]) >= 0 {
		i++
	}
	return i
}

// index records where every key and array element starts, so errors can
// point at the key that referred to something missing.
func (f *JSONFile) index() {
	dec := json.NewDecoder(bytes.NewReader(f.Src))
	next := func() int {
		i := int(dec.InputOffset())
		for i < len(f.Src) && strings.IndexByte(" \t\r\n,:", f.Src[i]) >= 0 {
			i++
		}
		return i
	}
	var value func(path string) bool
	value = func(path string) bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return true
		}
		switch d {
		case '{':
			for dec.More() {
				start := next()
				key, err := dec.Token()
				if err != nil {
					return false
				}
				k := path + "\x00" + key.(string)
				f.pos[k] = start
				if !value(k) {
					return false
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				k := path + "\x00" + strconv.Itoa(i)
				f.pos[k] = next()
				if !value(k) {
					return false
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err == nil
	}
	value("")
}

// Pos is the line and column of the member named by keys (object keys, or
// array indexes as decimal strings); when that member is unknown, of its
// nearest known ancestor; line 1 column 1 at worst.
func (f *JSONFile) Pos(keys ...string) (line, col int) {
	for n := len(keys); n > 0; n-- {
		k := "\x00" + strings.Join(keys[:n], "\x00")
		if off, ok := f.pos[k]; ok {
			return diag.Pos(f.Src, off)
		}
	}
	return 1, 1
}

// Errorf is an error at the member named by keys.
func (f *JSONFile) Errorf(keys []string, format string, a ...any) diag.Error {
	line, col := f.Pos(keys...)
	return diag.Errorf(f.Path, line, col, format, a...)
}

// keys builds a key path for Pos and Errorf.
func keys(k ...any) []string {
	out := make([]string, len(k))
	for i, v := range k {
		switch v := v.(type) {
		case string:
			out[i] = v
		case int:
			out[i] = strconv.Itoa(v)
		}
	}
	return out
}
