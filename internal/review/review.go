// Package review holds the automated review rules a mini program meets
// before a person looks at it: name, category and qualification, code and
// UI rules (docs/miniprogram-platform.md). The rules are pure functions over
// a project directory and the app's metadata; `superapp check DIR` and
// release.SubmitAudit both run them.
package review

import (
	"fmt"
	"path"
	"sort"

	"superapp/internal/miniprogram/project"
)

// Severity of a finding: a reject finding fails the review by itself.
type Severity string

const (
	Reject Severity = "reject"
	Warn   Severity = "warn"
)

// Finding is one rule broken, at a place in the project.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"` // project-relative; empty for app metadata (name, category)
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Message  string   `json:"message"`
}

// Category is a service category as a mini program declares it.
type Category struct {
	First  string `json:"first_class"`
	Second string `json:"second_class"`
	Third  string `json:"third_class,omitempty"`
}

// AppMeta is what the rules know about the app besides its code.
type AppMeta struct {
	Name        string
	SubjectName string
	SubjectKind string // account subject kinds: enterprise, individual, …
	Categories  []Category
	// Qualifications the subject has filed (e.g. "医疗机构执业许可证").
	Qualifications []string
}

// CheckDir loads the project in dir (project.Load: the checks DevTools makes
// before a build) and runs every rule over it. A project that does not load
// is an error: the rules need its pages and files.
func CheckDir(dir string, meta AppMeta) ([]Finding, error) {
	p, err := project.Load(dir)
	if err != nil {
		return nil, err
	}
	return Check(p, meta), nil
}

// Check runs every rule over a loaded project and the app's metadata. The
// findings come sorted: app metadata first (no file), then by file, line,
// column.
func Check(p *project.Project, meta AppMeta) []Finding {
	c := &checker{p: p, meta: meta}
	c.checkName()
	c.checkCategory()
	c.checkCode()
	c.checkUI()
	out := c.findings
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Rule < b.Rule
	})
	if out == nil {
		out = []Finding{}
	}
	return out
}

// Rejected reports whether any finding rejects the version by itself.
func Rejected(findings []Finding) bool {
	for _, f := range findings {
		if f.Severity == Reject {
			return true
		}
	}
	return false
}

// String is the finding as `superapp check` prints it:
// file:line:col: severity: rule: message, or app: … for app metadata.
func (f Finding) String() string {
	where := "app"
	switch {
	case f.File == "":
	case f.Line == 0:
		where = f.File
	case f.Col == 0:
		where = fmt.Sprintf("%s:%d", f.File, f.Line)
	default:
		where = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
	}
	return fmt.Sprintf("%s: %s: %s: %s", where, f.Severity, f.Rule, f.Message)
}

// checker collects the findings of one Check.
type checker struct {
	p        *project.Project
	meta     AppMeta
	findings []Finding

	texts []contentText // contentTexts, once computed
	wxml  []wxmlFile    // wxmlFiles, once parsed
	js    []jsFile      // jsFiles, once tokenized
}

// app records a finding about the app's metadata (no file).
func (c *checker) app(rule string, sev Severity, format string, a ...any) {
	c.findings = append(c.findings, Finding{Rule: rule, Severity: sev, Message: fmt.Sprintf(format, a...)})
}

// at records a finding at a place in a project file (file is relative to
// the mini program root, as project names files).
func (c *checker) at(file string, line, col int, rule string, sev Severity, format string, a ...any) {
	c.findings = append(c.findings, Finding{Rule: rule, Severity: sev, File: c.display(file), Line: line, Col: col,
		Message: fmt.Sprintf(format, a...)})
}

// display makes a root-relative path relative to the project directory
// (where project.config.json is), so that editors can open it from there.
func (c *checker) display(file string) string {
	if root := c.p.Config.MiniprogramRoot; root != "" {
		return path.Join(root, file)
	}
	return file
}
