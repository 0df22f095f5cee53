package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"superapp/internal/miniprogram/diag"
)

// Config is what a build needs from project.config.json.
type Config struct {
	AppID           string
	ProjectName     string
	CompileType     string
	MiniprogramRoot string // "" (the project directory) or "dir/"
	Setting         map[string]any
	// Ignore is packOptions.ignore: files DevTools leaves out of uploads.
	Ignore *Ignore
}

// ConfigFile is the project's configuration file.
const ConfigFile = "project.config.json"

// Whole is the file a diag.Error names when the problem concerns no one
// file of the project (a compiler's crash, a publish the server refused).
const Whole = "project"

// ReadConfig reads dir's project.config.json without loading the project
// (the dev loop needs its root and ignore rules even when the project does
// not build). A missing file is the default configuration; a broken one
// gives what could be read, and the problems as a diag.List.
func ReadConfig(dir string) (Config, error) {
	src, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, diag.List{diag.Errorf(ConfigFile, 0, 0, "%v", err)}
	}
	f, err := parseJSON(ConfigFile, src)
	if err != nil {
		return Config{}, diag.List{err.(diag.Error)}
	}
	cfg, errs := configOf(f)
	return cfg, errs.Err()
}

// configOf reads the parsed file, reporting each problem at its key.
func configOf(f *JSONFile) (Config, diag.List) {
	var cfg Config
	var errs diag.List
	v := f.Value
	cfg.AppID, _ = v["appid"].(string)
	cfg.AppID = strings.TrimSpace(cfg.AppID)
	cfg.ProjectName, _ = v["projectname"].(string)
	cfg.ProjectName = strings.TrimSpace(cfg.ProjectName)
	cfg.CompileType, _ = v["compileType"].(string)
	cfg.Setting, _ = v["setting"].(map[string]any)
	if raw, ok := v["miniprogramRoot"].(string); ok {
		root, err := ParseRoot(raw)
		if err != nil {
			errs = append(errs, f.Errorf(keys("miniprogramRoot"), "%v", err))
		}
		cfg.MiniprogramRoot = root
	}
	var rules []IgnoreRule
	var at [][]string // each rule's value's key path
	if po, ok := v["packOptions"].(map[string]any); ok {
		list, _ := po["ignore"].([]any)
		for i, e := range list {
			m, _ := e.(map[string]any)
			typ, _ := m["type"].(string)
			val, _ := m["value"].(string)
			switch typ {
			case "file", "folder", "suffix", "prefix", "glob", "regexp":
				rules = append(rules, IgnoreRule{typ, val})
				at = append(at, keys("packOptions", "ignore", i, "value"))
			default:
				errs = append(errs, f.Errorf(keys("packOptions", "ignore", i), "packOptions.ignore: unknown type %q (file, folder, suffix, prefix, glob or regexp)", typ))
			}
		}
	}
	ig, bad := CompileIgnore(rules)
	for _, b := range bad {
		errs = append(errs, f.Errorf(at[b.Index], "packOptions.ignore: %v", b.Err))
	}
	cfg.Ignore = ig
	return cfg, errs
}

// ParseRoot normalises a miniprogramRoot value to "" (the project
// directory) or "dir/". A root must stay inside the project: absolute
// paths and paths through ".." are refused.
func ParseRoot(raw string) (string, error) {
	slash := filepath.ToSlash(strings.TrimSpace(raw))
	if slash == "" {
		return "", nil
	}
	if path.IsAbs(slash) || filepath.IsAbs(raw) || filepath.VolumeName(raw) != "" {
		return "", fmt.Errorf("miniprogramRoot %q is an absolute path; write it relative to the project directory", raw)
	}
	clean := path.Clean(slash)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("miniprogramRoot %q leaves the project directory", raw)
	}
	if clean == "." {
		return "", nil
	}
	return clean + "/", nil
}

// IgnoreRule is one packOptions.ignore entry: Type is file, folder,
// suffix, prefix, glob or regexp.
type IgnoreRule struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Ignore applies packOptions.ignore rules, compiled once, to paths
// relative to the mini program root, as WeChat DevTools does; the packer
// and the dev loop's watcher both use it. A nil *Ignore ignores nothing.
type Ignore struct {
	rules []IgnoreRule
	res   []*regexp.Regexp // the compiled pattern of each regexp rule, else nil
}

// BadIgnoreRule is a rule whose pattern does not compile.
type BadIgnoreRule struct {
	Index int // in the rules given to CompileIgnore
	Err   error
}

// CompileIgnore compiles rules; a rule whose pattern is invalid is left
// out and reported.
func CompileIgnore(rules []IgnoreRule) (*Ignore, []BadIgnoreRule) {
	ig := &Ignore{}
	var bad []BadIgnoreRule
	for i, r := range rules {
		var re *regexp.Regexp
		var err error
		switch r.Type {
		case "regexp":
			re, err = regexp.Compile(r.Value)
		case "glob":
			_, err = path.Match(strings.TrimPrefix(r.Value, "/"), "")
		}
		if err != nil {
			bad = append(bad, BadIgnoreRule{i, fmt.Errorf("%s %q is not valid: %v", r.Type, r.Value, err)})
			continue
		}
		ig.rules = append(ig.rules, r)
		ig.res = append(ig.res, re)
	}
	return ig, bad
}

// Rules are the compiled rules, in order.
func (ig *Ignore) Rules() []IgnoreRule {
	if ig == nil {
		return nil
	}
	return ig.rules
}

// Match reports whether file is ignored.
func (ig *Ignore) Match(file string) bool {
	if ig == nil {
		return false
	}
	for i, r := range ig.rules {
		v := strings.TrimPrefix(r.Value, "/")
		switch r.Type {
		case "file":
			if file == v {
				return true
			}
		case "folder":
			if v != "" && strings.HasPrefix(file, strings.TrimSuffix(v, "/")+"/") {
				return true
			}
		case "suffix":
			if r.Value != "" && strings.HasSuffix(file, r.Value) {
				return true
			}
		case "prefix":
			if r.Value != "" && strings.HasPrefix(path.Base(file), r.Value) {
				return true
			}
		case "glob":
			if ok, _ := path.Match(v, file); ok {
				return true
			}
			if ok, _ := path.Match(v, path.Base(file)); ok && !strings.Contains(v, "/") {
				return true
			}
		case "regexp":
			if ig.res[i].MatchString(file) {
				return true
			}
		}
	}
	return false
}
