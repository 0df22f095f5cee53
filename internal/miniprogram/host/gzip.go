package host

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// GzipCacheBytes bounds the compressed package files kept in memory.
const GzipCacheBytes = 32 << 20

// minGzipSize: below it, compressing saves less than a round trip's worth.
const minGzipSize = 1024

// compressible reports whether a package file of this name and size is
// worth serving gzipped: text (service.js, styles.json, WXSS, SVG…), not
// images or media, which are compressed already.
func compressible(name string, size int) bool {
	if size < minGzipSize {
		return false
	}
	t := contentType(name)
	if strings.HasPrefix(t, "text/") {
		return true
	}
	for _, s := range []string{"javascript", "json", "xml", "wasm"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (every browser sends it; "gzip;q=0" refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// pkgGzip returns a package file gzipped, compressed once per hash (the
// bytes behind a hash never change) and kept beside the plain file; nil
// when compressing does not make it smaller. A service.js shrinks about
// ninefold (docs/benchmarks.md), which counts on a phone's network.
func (h *Handler) pkgGzip(hash string, data []byte) []byte {
	if gz, ok := h.gzipped.get(hash); ok {
		if len(gz) == 0 {
			return nil
		}
		return gz
	}
	var buf bytes.Buffer
	buf.Grow(len(data) / 4)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(data)
	zw.Close()
	gz := buf.Bytes()
	if len(gz) >= len(data) {
		gz = []byte{} // remembered: not worth it
	}
	h.gzipped.put(hash, gz)
	if len(gz) == 0 {
		return nil
	}
	return gz
}
