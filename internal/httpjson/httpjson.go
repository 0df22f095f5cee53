// Package httpjson is the browser-facing JSON APIs' common ground (the
// shell's /shell/api/… and the mini program host's /shell/api/mp/…):
// writing answers, refusing writes from other sites, and reading bodies.
// Each API maps *Error into its own error answer.
package httpjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Error is a request refused before its handler ran: Status is the HTTP
// status, Code the API's error code, Message what the user reads.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Write sends body as JSON with status. HTML characters are not escaped:
// the answers are read by scripts, and mini programs' data keeps its text.
func Write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
}

// CheckWrite keeps other sites from driving an API with a signed-in
// user's cookie: a cross-site <form> cannot send application/json, and a
// browser's Origin header names the page that sent the request.
func CheckWrite(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the request body as application/json.")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return errorf(http.StatusForbidden, "cross_origin", "Requests from other sites are not allowed.")
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return errorf(http.StatusForbidden, "cross_origin", "Requests from other sites are not allowed.")
	}
	return nil
}

// Decode reads a JSON body of at most limit bytes into v; strict refuses
// fields v does not have.
func Decode(r *http.Request, v any, limit int64, strict bool) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, limit+1))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errorf(http.StatusBadRequest, "bad_json", "The request body is empty; send a JSON object.")
		}
		return errorf(http.StatusBadRequest, "bad_json", "The request body is not valid JSON (at most %d bytes): %v.", limit, err)
	}
	return nil
}
