package wxml

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// wccCase is one case of testdata/wcc_cases.json. Its expectation was
// recorded by running WeChat's wcc (npm miniprogram-compiler@0.2.3, files
// passed as "./path" the way the developer tools pass them) on the same
// files and data: want is the children of wcc's wx-page root with the "wx-"
// prefix removed and generics folded into attr as "generic:<name>";
// wantCompileError is wcc's message when it refused the files.
type wccCase struct {
	Name             string            `json:"name"`
	Files            map[string]string `json:"files"`
	Path             string            `json:"path"`
	Data             any               `json:"data"`
	Want             []any             `json:"want"`
	WantCompileError string            `json:"wantCompileError"`
}

func loadWccCases(t *testing.T) []wccCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/wcc_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []wccCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// normalize makes our tree comparable with the recorded wcc trees: `key`
// and `branch` are ours only, and the recording (testdata/wcc/gen.js) folded wcc's
// generics into attr as "generic:<name>" and left rawAttr out.
func normalize(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = normalize(c)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, c := range v {
			if k == "key" || k == "branch" || k == "rawAttr" || k == "generics" {
				continue
			}
			out[k] = normalize(c)
		}
		if g, ok := v["generics"].(map[string]any); ok {
			attr, _ := out["attr"].(map[string]any)
			for k, c := range g {
				attr["generic:"+strings.TrimPrefix(k, "wx-")] = strings.TrimPrefix(c.(string), "wx-")
			}
		}
		return out
	}
	return v
}

func TestMatchesWcc(t *testing.T) {
	cases := loadWccCases(t)
	var renderable []wccCase
	var inputs []nodeCase
	for _, c := range cases {
		if c.WantCompileError != "" {
			t.Run(c.Name, func(t *testing.T) {
				if _, err := compileCase(t, c.Files); err == nil {
					t.Errorf("compiled; wcc refuses it: %s", c.WantCompileError)
				}
			})
			continue
		}
		renderable = append(renderable, c)
		inputs = append(inputs, nodeCase{Files: c.Files, Path: c.Path, Data: c.Data})
	}
	for _, c := range renderable {
		if _, err := compileCase(t, c.Files); err != nil {
			t.Fatalf("%s: compile: %v", c.Name, err)
		}
	}
	results := renderAllInNode(t, inputs)
	for i, c := range renderable {
		t.Run(c.Name, func(t *testing.T) {
			r := results[i]
			if r.Error != "" {
				t.Fatalf("render threw: %s", r.Error)
			}
			got := normalize(r.Tree)
			want := c.Want
			if want == nil {
				want = []any{}
			}
			if got == nil {
				got = []any{}
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("files %v\n got  %s\n want %s", c.Files, g, w)
			}
		})
	}
}
