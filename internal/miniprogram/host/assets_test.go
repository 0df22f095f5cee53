package host

import (
	"fmt"
	"testing"
)

func TestFileCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	c := newFileCache(100)
	for i := range 4 {
		c.put(fmt.Sprint(i), make([]byte, 25)) // 100 bytes: all fit
	}
	if _, ok := c.get("0"); !ok { // 0 is now the most recently used
		t.Fatal("0 missing while the cache is not full")
	}
	c.put("4", make([]byte, 25))
	if _, ok := c.get("1"); ok {
		t.Fatal("1, the least recently used, was kept over the limit")
	}
	for _, k := range []string{"0", "2", "3", "4"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if c.size != 100 || c.order.Len() != 4 {
		t.Fatalf("size %d with %d files", c.size, c.order.Len())
	}
	// A file over a quarter of the cache is served but not kept.
	c.put("big", make([]byte, 26))
	if _, ok := c.get("big"); ok || c.size != 100 {
		t.Fatalf("a large file was kept (size %d)", c.size)
	}
	// Putting a file again changes nothing.
	c.put("4", make([]byte, 25))
	if c.size != 100 || c.order.Len() != 4 {
		t.Fatalf("size %d with %d files after a repeat", c.size, c.order.Len())
	}
}

func TestOpensAsDocument(t *testing.T) {
	for name, want := range map[string]bool{"frame.html": true, "a.htm": true, "x.xhtml": true, "i.svg": true, "d.xml": true,
		"logic.js": false, "view.js": false, "s.css": false, "p.png": false} {
		if got := opensAsDocument(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}
