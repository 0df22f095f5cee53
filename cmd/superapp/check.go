package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/project"
	"superapp/internal/review"
)

func init() {
	register("check", "run the automated review rules (name, category, code, UI) over a mini program project; exit 1 on a reject finding", runCheck)
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// rejectedError is a check with reject findings: exit status 1, after the
// findings were printed.
type rejectedError struct{ n int }

func (e *rejectedError) Error() string {
	if e.n == 1 {
		return "1 finding rejects the version"
	}
	return fmt.Sprintf("%d findings reject the version", e.n)
}

func runCheck(args []string, stdout io.Writer) error {
	fs := newFlags("check", "check DIR [--name N] [--subject S] [--subject-kind K] [--category \"一级/二级\"]... [--qualification Q]... [--json]\n\n"+
		"Runs the review rules a submitted version meets (docs/review-rules.md) over the mini program\n"+
		"project in DIR and prints each finding as file:line:col: severity: rule: message (app: … for\n"+
		"the name and categories). Exit status: 0 no reject finding, 1 at least one, 2 DIR does not load.", stdout)
	name := fs.String("name", "", "the mini program's name (default: project.config.json's projectname)")
	subject := fs.String("subject", "", "the subject's (account owner's) name, for brand words in the name")
	subjectKind := fs.String("subject-kind", "", "the subject's kind: enterprise, individual, …")
	var categories, qualifications stringList
	fs.Var(&categories, "category", "a declared service category, \"一级/二级\" or \"一级/二级/三级\" (repeatable)")
	fs.Var(&qualifications, "qualification", "a qualification the subject has filed, e.g. 医疗机构执业许可证 (repeatable)")
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	dir, err := parseProjectDir(fs, args, "check")
	if err != nil {
		return err
	}
	meta := review.AppMeta{Name: *name, SubjectName: *subject, SubjectKind: *subjectKind, Qualifications: qualifications}
	for _, c := range categories {
		parts := strings.Split(c, "/")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return usagef("--category %q: want \"一级/二级\" or \"一级/二级/三级\"", c)
		}
		cat := review.Category{First: parts[0], Second: parts[1]}
		if len(parts) == 3 {
			cat.Third = parts[2]
		}
		meta.Categories = append(meta.Categories, cat)
	}

	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("%s is not a directory: superapp check DIR wants a mini program project (the directory of project.config.json or app.json)", dir)
	}
	p, err := project.Load(dir)
	if err != nil {
		var list diag.List
		if errors.As(err, &list) {
			return usagef("%s does not load as a mini program project (%d problem(s)), so it cannot be checked:\n%s", dir, len(list), list.Error())
		}
		return usagef("%s: %v", dir, err)
	}
	if meta.Name == "" {
		meta.Name = p.Config.ProjectName
	}
	findings := review.Check(p, meta)

	rejects, warns := 0, 0
	for _, f := range findings {
		if f.Severity == review.Reject {
			rejects++
		} else {
			warns++
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, findings); err != nil {
			return err
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(stdout, f.String())
		}
		verdict := "passes the automated review"
		if rejects > 0 {
			verdict = "would be rejected"
		}
		fmt.Fprintf(stdout, "%d reject, %d warn: %s %s\n", rejects, warns, meta.Name, verdict)
	}
	if rejects > 0 {
		return &rejectedError{rejects}
	}
	return nil
}
