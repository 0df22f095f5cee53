package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// MaxJSONBody is the largest JSON request body accepted (1 MiB). WeChat's own
// JSON APIs take far smaller bodies; larger ones get 45002 and change nothing.
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON request body into v the way WeChat's servers accept
// it from real SDKs: an empty body, "null" and "{}" leave v unchanged; unknown
// fields are ignored; malformed JSON is 47001; an oversized body is 45002.
func DecodeJSON(r *http.Request, v any) error {
	body, err := ReadBody(r, MaxJSONBody)
	if err != nil {
		return err
	}
	return UnmarshalJSON(body, v)
}

// UnmarshalJSON applies DecodeJSON's rules to a body already read.
func UnmarshalJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || string(body) == "null" {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return ErrDataFormat
	}
	return nil
}

// ReadBody reads at most limit bytes of the request body; a longer body is
// ErrBodyTooLarge.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, ErrBodyTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrBodyTooLarge
		}
		return nil, ErrDataFormat
	}
	if int64(len(body)) > limit {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}
