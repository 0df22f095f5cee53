package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"superapp/internal/httpjson"
	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/random"
)

// Client is the CI API's client: every request signed with a key file.
type Client struct {
	Server string // e.g. http://127.0.0.1:8080
	Key    *KeyFile
	HTTP   *http.Client // nil: a client with a 2-minute timeout
	Now    func() time.Time
	// Parallel is how many files are sent at once (0: 4).
	Parallel int
}

// APIError is the server's refusal.
type APIError = httpjson.Error

// do sends one signed request and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, body []byte, contentType string, out any) error {
	full := strings.TrimRight(c.Server, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, full, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("server URL %q: %v", c.Server, err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	req.Header.Set("Authorization", Authorization(c.Key.KeyID, c.Key.Key, method, req.URL.EscapedPath(), body, now(), random.Token(16)))
	req.Header.Set("Content-Type", contentType)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server at %s (is `superapp serve` running? set --server): %v", c.Server, err)
	}
	defer resp.Body.Close()
	return httpjson.ReadAnswer(resp, out)
}

func (c *Client) appPath(rest string) string {
	return "/mp/ci/v1/apps/" + url.PathEscape(c.Key.AppID) + "/" + rest
}

// Missing asks which of hashes the server lacks.
func (c *Client) Missing(ctx context.Context, hashes []string) ([]string, error) {
	body, _ := json.Marshal(MissingRequest{Hashes: hashes})
	var a MissingAnswer
	if err := c.do(ctx, "POST", c.appPath("files/missing"), body, "application/json", &a); err != nil {
		return nil, err
	}
	return a.Missing, nil
}

// Put stores one file under its SHA-256.
func (c *Client) Put(ctx context.Context, data []byte) (*PutAnswer, error) {
	var a PutAnswer
	if err := c.do(ctx, "PUT", c.appPath("files/"+host.HashOf(data)), data, "application/octet-stream", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// AddVersion makes the uploaded build a dev version.
func (c *Client) AddVersion(ctx context.Context, req VersionRequest) (*VersionAnswer, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var a VersionAnswer
	if err := c.do(ctx, "POST", c.appPath("versions"), body, "application/json", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Input is one upload.
type Input struct {
	Build       *pack.Result
	Source      []byte // the source zip (SourceZip); nil sends none
	UserVersion string
	UserDesc    string
}

// Progress reports files sent so far of those the server lacked.
type Progress struct {
	Files, TotalFiles int
	Bytes, TotalBytes int64
}

// Result is a finished upload.
type Result struct {
	Version *VersionAnswer
	// Files is how many distinct files the build and source zip have;
	// NewFiles/NewBytes what was sent (what the server lacked).
	Files    int
	NewFiles int
	NewBytes int64
}

// Upload sends the files of a build the server lacks, then makes it a dev
// version. progress, if not nil, is called once before the first file and
// after each file (from one goroutine at a time).
func (c *Client) Upload(ctx context.Context, in Input, progress func(Progress)) (*Result, error) {
	if err := checkLabels(in.UserVersion, in.UserDesc); err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(in.Build.Files)+1)
	for h, data := range in.Build.Files {
		files[h] = data
	}
	var sourceHash string
	if in.Source != nil {
		sourceHash = host.HashOf(in.Source)
		files[sourceHash] = in.Source
	}
	hashes := make([]string, 0, len(files))
	for h := range files {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	missing, err := c.Missing(ctx, hashes)
	if err != nil {
		return nil, err
	}
	res := &Result{Files: len(hashes), NewFiles: len(missing)}
	var p Progress
	p.TotalFiles = len(missing)
	for _, h := range missing {
		data, ok := files[h]
		if !ok {
			return nil, fmt.Errorf("the server asked for %s, which this build does not have", h)
		}
		p.TotalBytes += int64(len(data))
	}
	res.NewBytes = p.TotalBytes
	if progress != nil {
		progress(p)
	}
	if err := c.putAll(ctx, missing, files, &p, progress); err != nil {
		return nil, err
	}
	v, err := c.AddVersion(ctx, VersionRequest{Manifest: in.Build.ManifestJSON, UserVersion: in.UserVersion, UserDesc: in.UserDesc, SourceHash: sourceHash})
	if err != nil {
		return nil, err
	}
	res.Version = v
	return res, nil
}

// putAll sends files a few at a time, largest first so that the tail of
// the upload is short.
func (c *Client) putAll(ctx context.Context, hashes []string, files map[string][]byte, p *Progress, progress func(Progress)) error {
	order := slices.Clone(hashes)
	slices.SortStableFunc(order, func(a, b string) int { return len(files[b]) - len(files[a]) })
	n := c.Parallel
	if n <= 0 {
		n = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan string)
	for range min(n, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range next {
				_, err := c.Put(ctx, files[h])
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
						cancel()
					}
				} else if first == nil {
					p.Files++
					p.Bytes += int64(len(files[h]))
					if progress != nil {
						progress(*p)
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, h := range order {
		select {
		case next <- h:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
