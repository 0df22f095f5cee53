package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"superapp/internal/release"
	"superapp/internal/review"
	"superapp/internal/testserver"
)

// cliDevVersion records an upload of appid and returns its id.
func cliDevVersion(t *testing.T, s *testserver.Server, appid, userVersion string) int64 {
	t.Helper()
	manifest := `{"appid":"` + appid + `","v":"` + userVersion + `"}`
	sum := sha256.Sum256([]byte(manifest))
	v, err := s.Server.P.Releases.AddDevVersion(context.Background(), appid, release.DevVersionInput{
		Uploader: "key:cli-test", UserVersion: userVersion, UserDesc: "build " + userVersion, Manifest: []byte(manifest),
		ManifestHash: hex.EncodeToString(sum[:]), Pages: []string{"pages/index/index"},
	})
	if err != nil {
		t.Fatalf("AddDevVersion: %v", err)
	}
	return v.ID
}

// findingsReviewer is an automated review that warns about one line.
type findingsReviewer struct{}

func (findingsReviewer) Review(ctx context.Context, appid string, v *release.Version) ([]review.Finding, error) {
	return []review.Finding{{Rule: "ui-fake-red-packet", Severity: "warn", File: "pages/index/index.wxml", Line: 12, Col: 3, Message: "looks like a red packet"}}, nil
}

// submitForReview commits version id and submits it through the wire API,
// returning the audit id.
func submitForReview(t *testing.T, s *testserver.Server, app testserver.App, id int64) string {
	t.Helper()
	tok := s.AccessToken(t, app)
	if m := s.Post(t, "/wxa/commit?access_token="+tok, fmt.Sprintf(`{"template_id":%d}`, id)); testserver.Errcode(m) != 0 {
		t.Fatalf("commit: %v", m)
	}
	m := s.Post(t, "/wxa/submit_audit?access_token="+tok, `{"version_desc":"please"}`)
	auditID, _ := m["auditid"].(float64)
	if auditID <= 0 {
		t.Fatalf("submit_audit: %v", m)
	}
	return strconv.FormatInt(int64(auditID), 10)
}

func TestReviewCommands(t *testing.T) {
	s := testserver.New(t)
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	s.Server.P.Releases.SetReviewer(findingsReviewer{})
	app := s.CreateApp(t, "miniprogram", "Shop")

	if code, out, errs := cli(t, s, "review", "list"); code != 0 || !strings.Contains(out, "no versions are waiting") {
		t.Fatalf("empty list: %d %s %s", code, out, errs)
	}
	v1 := cliDevVersion(t, s, app.AppID, "1.0.0")
	a1 := submitForReview(t, s, app, v1)

	code, out, errs := cli(t, s, "review", "list")
	if code != 0 || !strings.Contains(out, "AUDITID") || !strings.Contains(out, a1) || !strings.Contains(out, app.AppID) || !strings.Contains(out, "Shop") {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	code, out, errs = cli(t, s, "review", "show", a1)
	if code != 0 || !strings.Contains(out, "in review") || !strings.Contains(out, "pages/index/index.wxml:12: ui-fake-red-packet: looks like a red packet") {
		t.Fatalf("show: %d %s %s", code, out, errs)
	}
	code, out, _ = cli(t, s, "review", "show", a1, "--json")
	var shown map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown["status"] != float64(2) {
		t.Fatalf("show --json: %d %s", code, out)
	}
	if code, _, errs := cli(t, s, "review", "show"); code != 2 || !strings.Contains(errs, "audit id is required") {
		t.Fatalf("show without id: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "review", "show", "x1"); code != 2 || !strings.Contains(errs, "positive integer") {
		t.Fatalf("show x1: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "review", "show", "999"); code != 1 || !strings.Contains(errs, "no such audit") {
		t.Fatalf("show 999: %d %s", code, errs)
	}

	if code, _, errs := cli(t, s, "review", "reject", a1); code != 2 || !strings.Contains(errs, "--reason is required") {
		t.Fatalf("reject without reason: %d %s", code, errs)
	}
	code, out, errs = cli(t, s, "review", "reject", a1, "--reason", "fake red packet on the home page")
	if code != 0 || !strings.Contains(out, "rejected audit "+a1) {
		t.Fatalf("reject: %d %s %s", code, out, errs)
	}
	if code, _, errs := cli(t, s, "review", "approve", a1); code != 1 || !strings.Contains(errs, "not in review") {
		t.Fatalf("approve a rejected audit: %d %s", code, errs)
	}
	// Two more rejections restrict the app; the message names the command.
	for i := 0; i < 2; i++ {
		id := submitForReview(t, s, app, v1)
		if code, _, errs := cli(t, s, "review", "reject", "--reason", "no", id); code != 0 {
			t.Fatalf("reject %s: %s", id, errs)
		}
	}
	m := s.Post(t, "/wxa/submit_audit?access_token="+s.AccessToken(t, app), `{}`)
	if msg, _ := m["errmsg"].(string); testserver.Errcode(m) != 85085 || !strings.Contains(msg, "superapp review unrestrict --appid "+app.AppID) {
		t.Fatalf("submit when restricted: %v", m)
	}
	if code, _, errs := cli(t, s, "review", "unrestrict"); code != 2 || !strings.Contains(errs, "--appid is required") {
		t.Fatalf("unrestrict without appid: %d %s", code, errs)
	}
	if code, out, errs := cli(t, s, "review", "unrestrict", "--appid", app.AppID); code != 0 || !strings.Contains(out, "may submit for review again") {
		t.Fatalf("unrestrict: %d %s %s", code, out, errs)
	}
	a4 := submitForReview(t, s, app, v1)
	code, out, errs = cli(t, s, "review", "approve", a4)
	if code != 0 || !strings.Contains(out, "approved audit "+a4) || !strings.Contains(out, "/wxa/release") {
		t.Fatalf("approve: %d %s %s", code, out, errs)
	}
	if au, _ := s.Server.P.Releases.LatestAudit(context.Background(), app.AppID); au.Status != release.AuditApproved || au.Reviewer != "operator" {
		t.Fatalf("after approve: %+v", au)
	}
}
