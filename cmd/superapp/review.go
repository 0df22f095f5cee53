package main

// The operator's review queue: `superapp review list|show|approve|reject`
// decide the audits developers submit with /wxa/submit_audit, and
// `review unrestrict` lifts the submission restriction that repeated
// rejections impose (docs/miniprogram-platform.md).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func init() {
	register("review list", "list the mini program versions waiting for review", reviewList)
	register("review show", "show an audit and the automated review's findings (review show AUDITID)", reviewShow)
	register("review approve", "approve a version in review; the developer then releases it (review approve AUDITID)", reviewApprove)
	register("review reject", "reject a version in review with a reason the developer reads (review reject AUDITID --reason …)", reviewReject)
	register("review unrestrict", "let a mini program submit for review again after repeated rejections", reviewUnrestrict)
}

// auditView is an audit as the admin API answers it.
type auditView struct {
	ID          int64  `json:"auditid"`
	AppID       string `json:"appid"`
	AppName     string `json:"app_name"`
	VersionID   int64  `json:"version_id"`
	UserVersion string `json:"user_version"`
	UserDesc    string `json:"user_desc"`
	Status      int    `json:"status"`
	Reason      string `json:"reason"`
	VersionDesc string `json:"version_desc"`
	SubmittedAt int64  `json:"submitted_at"`
	DecidedAt   int64  `json:"decided_at"`
	Reviewer    string `json:"reviewer"`
	Released    bool   `json:"released"`
	Findings    []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Col      int    `json:"col"`
		Message  string `json:"message"`
	} `json:"findings"`
}

// auditStatusNames are WeChat's audit statuses in words.
var auditStatusNames = map[int]string{0: "approved", 1: "rejected", 2: "in review", 3: "withdrawn", 4: "delayed"}

func auditStatusName(s int) string {
	if n, ok := auditStatusNames[s]; ok {
		return n
	}
	return "status " + strconv.Itoa(s)
}

func reviewTime(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).Local().Format("2006-01-02 15:04")
}

func reviewList(args []string, stdout io.Writer) error {
	fs := newFlags("review list", "review list", stdout)
	cf := addClientFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	return answer(cf, stdout, "GET", "/admin/v1/reviews", nil, func(w io.Writer, audits *[]auditView) error {
		if len(*audits) == 0 {
			_, err := fmt.Fprintln(w, "no versions are waiting for review")
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AUDITID\tAPPID\tAPP\tVERSION\tSUBMITTED\tFINDINGS")
		for _, a := range *audits {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d %s\t%s\t%d\n", a.ID, a.AppID, a.AppName, a.VersionID, a.UserVersion, reviewTime(a.SubmittedAt), len(a.Findings))
		}
		return tw.Flush()
	})
}

func reviewShow(args []string, stdout io.Writer) error {
	fs := newFlags("review show", "review show AUDITID", stdout)
	cf := addClientFlags(fs)
	id, err := parseWithID(fs, args, "audit id", "review list")
	if err != nil {
		return err
	}
	return answer(cf, stdout, "GET", "/admin/v1/reviews/"+id, nil, printAudit)
}

// printAudit prints an audit for people; findings as file:line: rule: message.
func printAudit(w io.Writer, a *auditView) error {
	fmt.Fprintf(w, "audit %d: %s (%s) version %d %q: %s\n", a.ID, a.AppID, a.AppName, a.VersionID, a.UserVersion, auditStatusName(a.Status))
	if a.UserDesc != "" {
		fmt.Fprintf(w, "  description: %s\n", a.UserDesc)
	}
	if a.VersionDesc != "" {
		fmt.Fprintf(w, "  note to the reviewer: %s\n", a.VersionDesc)
	}
	fmt.Fprintf(w, "  submitted:   %s\n", reviewTime(a.SubmittedAt))
	if a.DecidedAt != 0 {
		fmt.Fprintf(w, "  decided:     %s by %s\n", reviewTime(a.DecidedAt), a.Reviewer)
	}
	if a.Reason != "" {
		fmt.Fprintf(w, "  reason:      %s\n", strings.ReplaceAll(a.Reason, "\n", "\n               "))
	}
	if len(a.Findings) == 0 {
		_, err := fmt.Fprintln(w, "findings: none")
		return err
	}
	fmt.Fprintf(w, "findings (%d):\n", len(a.Findings))
	for _, f := range a.Findings {
		where := "(app)"
		switch {
		case f.File != "" && f.Line > 0:
			where = f.File + ":" + strconv.Itoa(f.Line)
		case f.File != "":
			where = f.File
		}
		fmt.Fprintf(w, "  %s: %s: %s [%s]\n", where, f.Rule, f.Message, f.Severity)
	}
	return nil
}

func reviewApprove(args []string, stdout io.Writer) error {
	fs := newFlags("review approve", "review approve AUDITID", stdout)
	cf := addClientFlags(fs)
	id, err := parseWithID(fs, args, "audit id", "review list")
	if err != nil {
		return err
	}
	return reviewDecide(cf, stdout, "/admin/v1/reviews/"+id+"/approve", map[string]any{})
}

func reviewReject(args []string, stdout io.Writer) error {
	fs := newFlags("review reject", `review reject AUDITID --reason "…"`, stdout)
	reason := fs.String("reason", "", "why the version is rejected; the developer reads it (required)")
	cf := addClientFlags(fs)
	id, err := parseWithID(fs, args, "audit id", "review list")
	if err != nil {
		return err
	}
	if err := required("reason", *reason); err != nil {
		return err
	}
	return reviewDecide(cf, stdout, "/admin/v1/reviews/"+id+"/reject", map[string]any{"reason": *reason})
}

func reviewDecide(cf clientFlags, stdout io.Writer, path string, body any) error {
	return answer(cf, stdout, "POST", path, body, func(w io.Writer, a *auditView) error {
		fmt.Fprintf(w, "%s audit %d of %s (version %d %q)\n", auditStatusName(a.Status), a.ID, a.AppID, a.VersionID, a.UserVersion)
		if a.Status == 0 {
			fmt.Fprintln(w, "the developer releases it with /wxa/release (or a gray release with /wxa/grayrelease)")
		}
		return nil
	})
}

func reviewUnrestrict(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("review unrestrict", "review unrestrict --appid APPID", stdout)
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	return answer(cf, stdout, "POST", "/admin/v1/apps/"+url.PathEscape(*appid)+"/miniprogram/unrestrict", map[string]any{}, func(w io.Writer, _ *json.RawMessage) error {
		_, err := fmt.Fprintf(w, "%s may submit for review again (rejection count reset)\n", *appid)
		return err
	})
}
