// Package fidelity is the differential test of our WXML compiler and
// evaluator (internal/miniprogram/wxml + web/miniprogram/src/wxml) against
// WeChat's official compiler wcc (npm miniprogram-compiler@0.2.3): for every
// case of a corpus of WXML, WXS and data, both must give the same tree
// (docs/miniprogram.md, "WXML render ABI"). wcc's answers are recorded as
// golden files so the suite needs only node, not wcc; see docs/wxml-fidelity.md.
package fidelity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one page to render: its files (package-relative path → text, the
// page is always index.wxml) and the page data.
type Case struct {
	Name  string            // "<topic>/<case>", topic = corpus file name without extension
	Files map[string]string // every .wxml/.wxs/.json file of the package
	Data  json.RawMessage   // page data (JSON object); "{}" when the case has none
}

// Corpus file format: txtar (a comment, then "-- name --" lines each
// followed by that file's text). A file name is "<case>/<path>": files are
// grouped into cases by their first segment. "<case>/data.json" is the page
// data, not a package file. Files named "_shared/<path>" belong to every case
// of the corpus file that does not define <path> itself, so a topic can share
// data or a template library among its cases.

const sharedCase = "_shared"

// ParseCorpusFile reads one corpus file; topic names its cases.
func ParseCorpusFile(topic string, text []byte) ([]Case, error) {
	files, err := parseTxtar(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", topic, err)
	}
	var order []string
	byCase := map[string]*Case{}
	shared := map[string]string{}
	for _, f := range files {
		caseName, rel, ok := strings.Cut(f.name, "/")
		if !ok || caseName == "" || rel == "" {
			return nil, fmt.Errorf("%s: line %d: file %q is not named <case>/<path>", topic, f.line, f.name)
		}
		if caseName == sharedCase {
			shared[rel] = f.text
			continue
		}
		c := byCase[caseName]
		if c == nil {
			c = &Case{Name: topic + "/" + caseName, Files: map[string]string{}}
			byCase[caseName] = c
			order = append(order, caseName)
		}
		if _, dup := c.Files[rel]; dup || (rel == "data.json" && c.Data != nil) {
			return nil, fmt.Errorf("%s: line %d: case %s has %s twice", topic, f.line, caseName, rel)
		}
		if rel == "data.json" {
			c.Data = json.RawMessage(strings.TrimSpace(f.text))
			continue
		}
		c.Files[rel] = f.text
	}
	out := make([]Case, 0, len(order))
	for _, name := range order {
		c := byCase[name]
		for rel, text := range shared {
			if rel == "data.json" {
				if c.Data == nil {
					c.Data = json.RawMessage(strings.TrimSpace(text))
				}
				continue
			}
			if _, own := c.Files[rel]; !own {
				c.Files[rel] = text
			}
		}
		if c.Data == nil {
			c.Data = json.RawMessage("{}")
		}
		var probe map[string]any
		if err := json.Unmarshal(c.Data, &probe); err != nil {
			return nil, fmt.Errorf("%s: data.json is not a JSON object: %v", c.Name, err)
		}
		if _, ok := c.Files["index.wxml"]; !ok {
			return nil, fmt.Errorf("%s: no index.wxml", c.Name)
		}
		out = append(out, *c)
	}
	return out, nil
}

// LoadCorpus reads every *.txtar in dir, in name order.
func LoadCorpus(dir string) ([]Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var all []Case
	seen := map[string]bool{}
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		topic := strings.TrimSuffix(filepath.Base(p), ".txtar")
		cases, err := ParseCorpusFile(topic, text)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if seen[c.Name] {
				return nil, fmt.Errorf("case %s defined twice", c.Name)
			}
			seen[c.Name] = true
		}
		all = append(all, cases...)
	}
	return all, nil
}

// Topic is the corpus file a case comes from.
func (c Case) Topic() string { t, _, _ := strings.Cut(c.Name, "/"); return t }

type txtarFile struct {
	name string
	text string
	line int
}

// parseTxtar splits the txtar format: "-- name --" marker lines start files;
// text before the first marker is a comment.
func parseTxtar(data []byte) ([]txtarFile, error) {
	var files []txtarFile
	var cur *txtarFile
	var buf bytes.Buffer
	flush := func() {
		if cur != nil {
			cur.text = buf.String()
			files = append(files, *cur)
		}
		buf.Reset()
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, raw := range lines {
		line := strings.TrimRight(string(raw), "\r\n")
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") && len(line) > 6 {
			flush()
			cur = &txtarFile{name: strings.TrimSpace(line[3 : len(line)-3]), line: i + 1}
			continue
		}
		if cur != nil {
			buf.Write(raw)
		}
	}
	flush()
	return files, nil
}

// FormatTxtar is the inverse of parseTxtar, used by the corpus generator.
func FormatTxtar(comment string, files [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(comment)
	if comment != "" && !strings.HasSuffix(comment, "\n") {
		b.WriteByte('\n')
	}
	for _, f := range files {
		fmt.Fprintf(&b, "-- %s --\n", f[0])
		b.WriteString(f[1])
		if f[1] != "" && !strings.HasSuffix(f[1], "\n") {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
