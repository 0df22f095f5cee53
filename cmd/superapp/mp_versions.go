package main

// Mini program versions for the operator: members (trial/project), the
// versions overview, the trial version and gray releases with named users.

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
)

func init() {
	register("mp members add", "give a user a role on a mini program: trial (体验者) or project (项目成员)", mpMembersAdd)
	register("mp members remove", "take a role on a mini program away from a user", mpMembersRemove)
	register("mp members list", "list a mini program's trial and project members", mpMembersList)
	register("mp versions", "show a mini program's dev versions, trial, audit, online version, gray plan and history", mpVersions)
	register("mp trial set", "make one of a mini program's dev versions the trial version (as /wxa/commit)", mpTrialSet)
	register("mp gray", "start or widen a gray release; --user names users who get it first", mpGray)
}

func mpPath(appid, rest string) string {
	return "/admin/v1/apps/" + url.PathEscape(appid) + "/miniprogram/" + rest
}

type memberFlags struct {
	appid, user, role *string
	cf                clientFlags
}

func parseMemberFlags(name string, args []string, stdout io.Writer, needUser bool) (memberFlags, error) {
	usage := name + " --appid APPID"
	if needUser {
		usage += " --user USER --role trial|project"
	}
	fs := newFlags(name, usage, stdout)
	m := memberFlags{appid: fs.String("appid", "", "the mini program")}
	if needUser {
		m.user = fs.String("user", "", "the user: id, phone number or unique name")
		m.role = fs.String("role", "", "trial (opens the trial version) or project (also opens dev versions)")
	}
	m.cf = addClientFlags(fs)
	if err := parse(fs, args); err != nil {
		return m, err
	}
	if err := required("appid", *m.appid); err != nil {
		return m, err
	}
	if needUser {
		if err := required("user", *m.user); err != nil {
			return m, err
		}
		if err := required("role", *m.role); err != nil {
			return m, err
		}
		if *m.role != "trial" && *m.role != "project" {
			return m, usagef("--role must be trial or project, not %q", *m.role)
		}
	}
	return m, nil
}

func mpMembersAdd(args []string, stdout io.Writer) error {
	m, err := parseMemberFlags("mp members add", args, stdout, true)
	if err != nil {
		return err
	}
	var out struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
		Name   string `json:"name"`
	}
	if err := m.cf.call("POST", mpPath(*m.appid, "members"), map[string]any{"user": *m.user, "role": *m.role}, &out); err != nil {
		return err
	}
	if *m.cf.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "%s (%s) is a %s member of %s\n", out.Name, out.UserID, out.Role, *m.appid)
	return nil
}

func mpMembersRemove(args []string, stdout io.Writer) error {
	m, err := parseMemberFlags("mp members remove", args, stdout, true)
	if err != nil {
		return err
	}
	var out any
	if err := m.cf.call("DELETE", mpPath(*m.appid, "members/"+url.PathEscape(*m.role)+"/"+url.PathEscape(*m.user)), nil, &out); err != nil {
		return err
	}
	if *m.cf.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "%s is no longer a %s member of %s\n", *m.user, *m.role, *m.appid)
	return nil
}

func mpMembersList(args []string, stdout io.Writer) error {
	m, err := parseMemberFlags("mp members list", args, stdout, false)
	if err != nil {
		return err
	}
	type member struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
		Name   string `json:"name"`
	}
	return answer(m.cf, stdout, "GET", mpPath(*m.appid, "members"), nil, func(w io.Writer, members *[]member) error {
		if len(*members) == 0 {
			_, err := fmt.Fprintf(w, "%s has no members (add one with `superapp mp members add`)\n", *m.appid)
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tNAME\tROLE")
		for _, mb := range *members {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", mb.UserID, mb.Name, mb.Role)
		}
		return tw.Flush()
	})
}

// versionView, grayView and versionsView are the admin API's answer.
type versionView struct {
	ID          int64    `json:"id"`
	UserVersion string   `json:"user_version"`
	UserDesc    string   `json:"user_desc"`
	Uploader    string   `json:"uploader"`
	CreatedAt   int64    `json:"created_at"`
	Pages       []string `json:"pages"`
	ReleasedAt  int64    `json:"released_at"`
	How         string   `json:"how"`
}

type grayView struct {
	Status           int      `json:"status"`
	VersionID        int64    `json:"version_id"`
	Percentage       int      `json:"gray_percentage"`
	ExperiencerFirst bool     `json:"support_experiencer_first"`
	DebuggerFirst    bool     `json:"support_debuger_first"`
	NamedOpenIDs     []string `json:"named_openids"`
	CreatedAt        int64    `json:"create_timestamp"`
}

type versionsView struct {
	AppID       string        `json:"appid"`
	DevVersions []versionView `json:"dev_versions"`
	Trial       *versionView  `json:"trial"`
	TrialExt    string        `json:"trial_ext_json"`
	Online      *versionView  `json:"online"`
	Gray        *grayView     `json:"gray"`
	GrayVersion *versionView  `json:"gray_version"`
	Latest      *auditView    `json:"latest_audit"`
	History     []versionView `json:"history"`
	Rejections  int           `json:"rejections"`
	Restricted  bool          `json:"restricted"`
}

var grayStatusNames = map[int]string{0: "initial", 1: "running", 2: "paused", 3: "done", 4: "reverted"}

func versionLabel(v *versionView) string {
	if v == nil {
		return "none"
	}
	label := "#" + strconv.FormatInt(v.ID, 10)
	if v.UserVersion != "" {
		label += " " + strconv.Quote(v.UserVersion)
	}
	return label
}

func mpVersions(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp versions", "mp versions --appid APPID", stdout)
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	return answer(cf, stdout, "GET", mpPath(*appid, "versions"), nil, printVersions)
}

func printVersions(w io.Writer, v *versionsView) error {
	row := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-14s"+format+"\n", append([]any{label + ":"}, args...)...)
	}
	fmt.Fprintf(w, "%s\n", v.AppID)
	row("online", "%s", versionLabel(v.Online))
	grayRunning := v.Gray != nil && v.Gray.Status == 1
	switch g := v.Gray; {
	case grayRunning:
		first := []string{}
		if g.ExperiencerFirst {
			first = append(first, "trial members first")
		}
		if g.DebuggerFirst {
			first = append(first, "project members first")
		}
		if len(g.NamedOpenIDs) > 0 {
			first = append(first, strconv.Itoa(len(g.NamedOpenIDs))+" named users")
		}
		extra := ""
		if len(first) > 0 {
			extra = ", " + strings.Join(first, ", ")
		}
		row("gray", "%s at %d%% since %s%s", versionLabel(v.GrayVersion), g.Percentage, reviewTime(g.CreatedAt), extra)
	case g != nil:
		row("gray", "none (last plan %s at %d%%)", grayStatusNames[g.Status], g.Percentage)
	default:
		row("gray", "none")
	}
	row("trial", "%s", versionLabel(v.Trial))
	if a := v.Latest; a != nil {
		label := "latest audit"
		if a.Status == 2 {
			label = "in review"
		}
		state := auditStatusName(a.Status)
		if a.Status == 0 && !a.Released {
			state = "approved, waiting for /wxa/release"
			if grayRunning && v.GrayVersion != nil && v.GrayVersion.ID == a.VersionID {
				state = "approved, in gray release"
			}
		}
		row(label, "audit %d of #%d %q: %s (submitted %s)", a.ID, a.VersionID, a.UserVersion, state, reviewTime(a.SubmittedAt))
	} else {
		row("in review", "none")
	}
	if v.Restricted {
		row("restricted", "after %d rejections; lift with `superapp review unrestrict --appid %s`", v.Rejections, v.AppID)
	} else if v.Rejections > 0 {
		row("rejections", "%d", v.Rejections)
	}

	fmt.Fprintf(w, "\ndev versions (%d):\n", len(v.DevVersions))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tVERSION\tUPLOADED\tUPLOADER\tPAGES\tDESCRIPTION")
	for _, d := range v.DevVersions {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.UserVersion, reviewTime(d.CreatedAt), d.Uploader, len(d.Pages), oneLine(d.UserDesc, 40))
	}
	tw.Flush()

	fmt.Fprintf(w, "\nhistory (%d, newest first; rollback targets):\n", len(v.History))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tVERSION\tRELEASED\tHOW")
	for _, h := range v.History {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", h.ID, h.UserVersion, reviewTime(h.ReleasedAt), h.How)
	}
	return tw.Flush()
}

// oneLine shortens text to n characters on one line for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func mpTrialSet(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp trial set", "mp trial set --appid APPID --version ID [--ext-json '{…}']", stdout)
	version := fs.String("version", "", "the dev version id (see `superapp mp versions`)")
	ext := fs.String("ext-json", "", "ext_json handed to the runtime as wx.getExtConfigSync() (a JSON object)")
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	if err := required("version", *version); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*version, 10, 64)
	if err != nil || id <= 0 {
		return usagef("--version must be a dev version id (a positive integer), not %q", *version)
	}
	return answer(cf, stdout, "PUT", mpPath(*appid, "trial"), map[string]any{"version_id": id, "ext_json": *ext}, func(w io.Writer, v *versionsView) error {
		_, err := fmt.Fprintf(w, "trial version of %s: %s\n", *appid, versionLabel(v.Trial))
		return err
	})
}

func mpGray(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp gray", "mp gray --appid APPID --percentage N [--trial-first] [--project-first] [--user U,U…]", stdout)
	pct := fs.Int("percentage", 0, "share of users (0–100) who get the approved version; only increases")
	trialFirst := fs.Bool("trial-first", false, "trial members get it first (support_experiencer_first)")
	projectFirst := fs.Bool("project-first", false, "project members get it first (support_debuger_first)")
	users := fs.String("user", "", "comma-separated users (ids, phone numbers or unique names) who get it whatever their bucket")
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	if *pct < 0 || *pct > 100 {
		return usagef("--percentage must be 0 to 100, not %d", *pct)
	}
	named := []string{}
	for _, u := range strings.Split(*users, ",") {
		if u = strings.TrimSpace(u); u != "" {
			named = append(named, u)
		}
	}
	body := map[string]any{"gray_percentage": *pct, "support_experiencer_first": *trialFirst, "support_debuger_first": *projectFirst, "users": named}
	return answer(cf, stdout, "POST", mpPath(*appid, "gray"), body, printVersions)
}
