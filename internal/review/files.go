package review

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"superapp/internal/miniprogram/wxml"
)

// The rules read the files an upload would carry: every project file but
// those packOptions.ignore leaves out.

type wxmlFile struct {
	path  string
	nodes []wxml.Node
}

type jsFile struct {
	path  string
	src   string
	toks  []jsToken
	lines []int // byte offset of each line's start
}

// pos is the 1-based line and column (in characters) of byte offset off.
func (f *jsFile) pos(off int) (line, col int) {
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return i + 1, utf8.RuneCountInString(f.src[f.lines[i]:off]) + 1
}

func (c *checker) shipped(ext ...string) []string {
	var out []string
	for _, f := range c.p.Files() {
		if c.p.Config.Ignore.Match(f) || strings.HasSuffix(f, ".d.ts") {
			continue
		}
		for _, e := range ext {
			if strings.HasSuffix(f, e) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// wxmlFiles parses every WXML file once. A file that does not parse is
// skipped: the build (pack) reports it; the rules judge what runs.
func (c *checker) wxmlFiles() []wxmlFile {
	if c.wxml != nil {
		return c.wxml
	}
	c.wxml = []wxmlFile{}
	for _, f := range c.shipped(".wxml") {
		src, err := c.p.Read(f)
		if err != nil {
			continue
		}
		nodes, err := wxml.Parse(f, src)
		if err != nil {
			continue
		}
		c.wxml = append(c.wxml, wxmlFile{f, nodes})
	}
	return c.wxml
}

// jsFiles tokenizes every script (JS and TS) once.
func (c *checker) jsFiles() []jsFile {
	if c.js != nil {
		return c.js
	}
	c.js = []jsFile{}
	for _, f := range c.shipped(".js", ".ts", ".mjs") {
		src, err := c.p.Read(f)
		if err != nil {
			continue
		}
		s := string(src)
		lines := []int{0}
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' {
				lines = append(lines, i+1)
			}
		}
		c.js = append(c.js, jsFile{f, s, jsTokens(s), lines})
	}
	return c.js
}

// walk visits every node under nodes depth-first, with the elements
// enclosing it (outermost first).
func walk(nodes []wxml.Node, parents []*wxml.Element, visit func(n wxml.Node, parents []*wxml.Element)) {
	for _, n := range nodes {
		visit(n, parents)
		if e, ok := n.(*wxml.Element); ok {
			walk(e.Children, append(parents[:len(parents):len(parents)], e), visit)
		}
	}
}

// texts is every text under the element (its own and its descendants').
func texts(e *wxml.Element) []*wxml.Text {
	var out []*wxml.Text
	walk(e.Children, nil, func(n wxml.Node, _ []*wxml.Element) {
		if t, ok := n.(*wxml.Text); ok {
			out = append(out, t)
		}
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func itoa(i int) string { return strconv.Itoa(i) }
