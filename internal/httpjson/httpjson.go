// Package httpjson is the JSON APIs' common ground (the shell's
// /shell/api/…, the mini program host's /shell/api/mp/…, and the CLI's
// side of the admin and CI APIs): writing answers, refusing writes from
// other sites, reading bodies, and reading answers as a client. Each API
// maps *Error into its own error answer.
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
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input at fault, when the API says.
	Field string `json:"field,omitempty"`
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

// maxAnswer bounds an answer a client reads.
const maxAnswer = 16 << 20

// ReadAnswer reads a JSON API's answer as a client: a 2xx body into out
// (when not nil); any other status as *Error from the API's
// {"error":{"code","message","field"}}, or one naming the status when the
// body is not that.
func ReadAnswer(resp *http.Response, out any) error {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		var p struct {
			Error Error `json:"error"`
		}
		if json.Unmarshal(raw, &p) == nil && p.Error.Message != "" {
			p.Error.Status = resp.StatusCode
			return &p.Error
		}
		return &Error{Status: resp.StatusCode, Code: "http", Message: fmt.Sprintf("%s %s: the server answered %s", resp.Request.Method, resp.Request.URL.Path, resp.Status)}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
