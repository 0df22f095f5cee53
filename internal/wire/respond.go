package wire

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ContentTypeJSON is what WeChat's API servers label JSON with (note
// "encoding", not "charset"); SDKs accept it and some match on the prefix.
const ContentTypeJSON = "application/json; encoding=utf-8"

type ridKey struct{}

// NewRID makes a request id shaped like WeChat's ("6397e9df-300dd594-2a66aff9").
func NewRID() string {
	var b [8]byte
	rand.Read(b[:])
	var t [4]byte
	binary.BigEndian.PutUint32(t[:], uint32(time.Now().Unix()))
	return hex.EncodeToString(t[:]) + "-" + hex.EncodeToString(b[:4]) + "-" + hex.EncodeToString(b[4:])
}

// WithRID stores the request id in ctx.
func WithRID(ctx context.Context, rid string) context.Context {
	return context.WithValue(ctx, ridKey{}, rid)
}

// RID returns the request id of ctx, or a fresh one.
func RID(ctx context.Context) string {
	if rid, ok := ctx.Value(ridKey{}).(string); ok {
		return rid
	}
	return NewRID()
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteJSON writes v with HTTP 200 and WeChat's JSON content type. HTML is
// not escaped, as WeChat's servers do not.
func WriteJSON(w http.ResponseWriter, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"errcode":-1,"errmsg":"system error"}`)
	}
	h := w.Header()
	h["Content-Type"] = []string{ContentTypeJSON}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// ErrorBody is the JSON shape of every error.
type ErrorBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// OK is the body of an endpoint that succeeds with nothing to return.
func OK() ErrorBody { return ErrorBody{0, "ok"} }

// WriteError writes err as {"errcode","errmsg"} with the request id appended.
// Errors that are not *Error are logged (without request data, which may
// carry secrets) and answered as system error.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var we *Error
	if !errors.As(err, &we) {
		slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "rid", RID(r.Context()), "err", err)
		we = ErrSystem
	}
	WriteJSON(w, ErrorBody{ErrCode: we.Code, ErrMsg: we.Msg + " rid: " + RID(r.Context())})
}
