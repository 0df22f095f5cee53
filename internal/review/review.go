// Package review holds the automated review rules a mini program meets
// before a person looks at it: name, category and qualification, code and
// UI rules (docs/miniprogram-platform.md). The rules are pure functions over
// a project directory and the app's metadata; `superapp check DIR` and
// release.SubmitAudit both run them.
package review

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
