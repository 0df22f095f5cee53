package host

import (
	"container/list"
	"strings"
	"sync"
)

// opensAsDocument reports whether a browser would run a file of this
// name as a page (HTML, XHTML, SVG, XML) when opened directly.
func opensAsDocument(name string) bool {
	t := contentType(name)
	for _, doc := range []string{"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"} {
		if strings.HasPrefix(t, doc) {
			return true
		}
	}
	return false
}

// DefaultFileCacheBytes bounds the package files kept in memory.
const DefaultFileCacheBytes = 64 << 20

// fileCache keeps recently served package files: anyone may fetch
// /mp/pkg/<hash> without signing in, and the bytes behind a hash never
// change, so the database is asked once per file rather than per request.
// The least recently used files leave first once the total passes max.
type fileCache struct {
	max   int64
	mu    sync.Mutex
	size  int64
	order *list.List // front: most recently used; values are *cachedFile
	byKey map[string]*list.Element
}

type cachedFile struct {
	hash string
	data []byte
}

func newFileCache(max int64) *fileCache {
	return &fileCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *fileCache) get(hash string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[hash]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cachedFile).data, true
}

// put keeps data (which callers must not change); a file larger than a
// quarter of the cache is not kept, so one file cannot empty it.
func (c *fileCache) put(hash string, data []byte) {
	if int64(len(data)) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[hash]; ok {
		return
	}
	c.byKey[hash] = c.order.PushFront(&cachedFile{hash, data})
	c.size += int64(len(data))
	for c.size > c.max {
		last := c.order.Back()
		f := last.Value.(*cachedFile)
		c.order.Remove(last)
		delete(c.byKey, f.hash)
		c.size -= int64(len(f.data))
	}
}
