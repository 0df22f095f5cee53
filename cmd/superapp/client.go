package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"superapp/internal/httpjson"
)

// clientFlags are the flags of every command that talks to a running server.
type clientFlags struct {
	server *string
	data   *string
	json   *bool
}

func addClientFlags(fs *flag.FlagSet) clientFlags {
	return clientFlags{
		server: fs.String("server", env("SUPERAPP_SERVER", "http://127.0.0.1:8080"), "URL of the running server (SUPERAPP_SERVER)"),
		data:   fs.String("data", env("SUPERAPP_DATA", "./superapp-data"), "data directory holding operator.key, when SUPERAPP_OPERATOR_KEY is not set"),
		json:   fs.Bool("json", false, "print the server's JSON answer instead of text"),
	}
}

func (c clientFlags) operatorKey() (string, error) {
	if k := strings.TrimSpace(os.Getenv("SUPERAPP_OPERATOR_KEY")); k != "" {
		return k, nil
	}
	path := filepath.Join(*c.data, "operator.key")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no operator key: set SUPERAPP_OPERATOR_KEY or point --data at the server's data directory (%s: %v)", path, errors.Unwrap(err))
	}
	return strings.TrimSpace(string(b)), nil
}

// call sends a request to the admin or simulation API and decodes the answer
// into out; an error answer becomes an error carrying the server's message.
func (c clientFlags) call(method, path string, body, out any) error {
	key, err := c.operatorKey()
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(*c.server, "/")+path, rd)
	if err != nil {
		return usagef("--server %q: %v", *c.server, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server at %s (is `superapp serve` running? set --server): %v", *c.server, err)
	}
	defer resp.Body.Close()
	err = httpjson.ReadAnswer(resp, out)
	var ae *httpjson.Error
	if errors.As(err, &ae) && ae.Code == "invalid_input" {
		return usagef("%s", ae.Message)
	}
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printCompact prints v as one line of JSON, for answers scripts parse.
func printCompact(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// answer sends a request and prints its answer: the server's JSON with
// --json, else the answer decoded into a V and printed by text.
func answer[V any](c clientFlags, stdout io.Writer, method, path string, body any, text func(io.Writer, *V) error) error {
	var raw json.RawMessage
	if err := c.call(method, path, body, &raw); err != nil {
		return err
	}
	if *c.json {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return printJSON(stdout, v)
	}
	var v V
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	return text(stdout, &v)
}
