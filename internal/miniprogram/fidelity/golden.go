package fidelity

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Goldens are wcc's results, one JSON file per topic in golden/<topic>.json:
// an object keyed by case name (without the topic), one case per line so a
// change in wcc's answer shows as a one-line diff.

// LoadGoldens reads every golden file in dir, keyed by full case name.
func LoadGoldens(dir string) (map[string]Result, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]Result{}
	for _, p := range paths {
		topic := strings.TrimSuffix(filepath.Base(p), ".json")
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var m map[string]Result
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		for name, r := range m {
			out[topic+"/"+name] = r
		}
	}
	return out, nil
}

// WriteGoldens replaces dir's golden files with results, one file per topic.
func WriteGoldens(dir string, results map[string]Result) error {
	byTopic := map[string]map[string]Result{}
	for name, r := range results {
		topic, rest, _ := strings.Cut(name, "/")
		if byTopic[topic] == nil {
			byTopic[topic] = map[string]Result{}
		}
		byTopic[topic][rest] = r
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, p := range old {
		if byTopic[strings.TrimSuffix(filepath.Base(p), ".json")] == nil {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for topic, m := range byTopic {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		var b bytes.Buffer
		b.WriteString("{\n")
		for i, n := range names {
			k, _ := json.Marshal(n)
			v, err := marshalCompact(m[n])
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s: %s", k, v)
			if i < len(names)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
		if err := os.WriteFile(filepath.Join(dir, topic+".json"), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func marshalCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b.Bytes()); err != nil {
		return nil, err
	}
	return c.Bytes(), nil
}

// KnownDifferences is the human-written list of cases where we knowingly
// differ from wcc, with why: file lines "<case name>: <reason>", '#' comments.
func LoadKnownDifferences(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ": ")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"<case>: <reason>\"", path, n)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(reason)
	}
	return out, sc.Err()
}
