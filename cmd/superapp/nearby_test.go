package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"superapp/internal/nearby"
	"superapp/internal/server"
	"superapp/internal/testserver"
)

// cliNearbyPOI adds a POI through /wxa/addnearbypoi and returns its id.
func cliNearbyPOI(t *testing.T, s *testserver.Server, app testserver.App, name string, lat float64, credential string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"store_name": name, "address": name + " Road 1", "credential": credential,
		"latitude": lat, "longitude": 121.4737})
	m := s.Post(t, "/wxa/addnearbypoi?access_token="+s.AccessToken(t, app), string(body))
	data, _ := m["data"].(map[string]any)
	id, _ := data["poi_id"].(string)
	if testserver.Errcode(m) != 0 || id == "" {
		t.Fatalf("addnearbypoi %s: %v", name, m)
	}
	return id
}

func TestNearbyCommands(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policy, []byte(`{"nearby":{"manual_audit":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := testserver.New(t, func(c *server.Config) { c.PolicyFile = policy })
	t.Setenv("SUPERAPP_OPERATOR_KEY", testserver.OperatorKey)
	shop := s.CreateApp(t, "miniprogram", "Shop")
	cafe := s.CreateApp(t, "miniprogram", "Cafe")
	shown := func() []int64 {
		t.Helper()
		res, err := s.Server.P.Nearby.Nearby(nearby.Query{Latitude: 31.2304, Longitude: 121.4737, Page: 1, PageSize: 20})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range res.Items {
			ids = append(ids, it.PoiID)
		}
		return ids
	}

	// Help lists the commands like the others.
	_, help, _ := cli(t, nil, "help")
	for _, name := range []string{"nearby reviews", "nearby approve", "nearby reject"} {
		if !strings.Contains(help, "  "+name+" ") {
			t.Fatalf("help does not list %q:\n%s", name, help)
		}
	}
	if code, out, _ := cli(t, nil, "nearby"); code != 2 || !strings.Contains(out, "superapp nearby approve") || !strings.Contains(out, "superapp nearby reviews") {
		t.Fatalf("nearby alone: %d %s", code, out)
	}

	if code, out, errs := cli(t, s, "nearby", "reviews"); code != 0 || !strings.Contains(out, "no nearby POIs are waiting") {
		t.Fatalf("empty queue: %d %s %s", code, out, errs)
	}
	p1 := cliNearbyPOI(t, s, shop, "Shop East", 31.2314, "123456789012345")
	p2 := cliNearbyPOI(t, s, cafe, "Cafe West", 31.2324, "987654321098765")

	code, out, errs := cli(t, s, "nearby", "reviews")
	if code != 0 || !strings.Contains(out, "POI_ID") || !strings.Contains(out, "SUBMITTED") || strings.Contains(out, "oldest") {
		t.Fatalf("reviews: %d %s %s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], p1+" ") || !strings.HasPrefix(lines[2], p2+" ") {
		t.Fatalf("reviews, want %s then %s:\n%s", p1, p2, out)
	}
	for _, want := range []string{shop.AppID, "Shop", "Shop East", "Shop East Road 1", "31.231400,121.473700"} {
		if !strings.Contains(lines[1], want) {
			t.Fatalf("reviews row %q lacks %q", lines[1], want)
		}
	}
	if !strings.Contains(lines[2], cafe.AppID) || !strings.Contains(lines[2], "Cafe West") {
		t.Fatalf("reviews row %q", lines[2])
	}
	if code, out, _ := cli(t, s, "nearby", "reviews", "--limit", "1"); code != 0 || !strings.Contains(out, "the oldest 1 of 2") || strings.Contains(out, "Cafe West") {
		t.Fatalf("reviews --limit 1: %d %s", code, out)
	}
	if code, _, errs := cli(t, s, "nearby", "reviews", "--limit", "0"); code != 2 || !strings.Contains(errs, "--limit 0") {
		t.Fatalf("reviews --limit 0: %d %s", code, errs)
	}
	code, out, _ = cli(t, s, "nearby", "reviews", "--json")
	var queue struct {
		Total int `json:"total"`
		POIs  []struct {
			PoiID       int64 `json:"poi_id"`
			AuditStatus int   `json:"audit_status"`
		} `json:"pois"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &queue) != nil || queue.Total != 2 || strconv.FormatInt(queue.POIs[0].PoiID, 10) != p1 || queue.POIs[0].AuditStatus != 3 {
		t.Fatalf("reviews --json: %d %s", code, out)
	}

	// Usage errors.
	if code, _, errs := cli(t, s, "nearby", "approve"); code != 2 || !strings.Contains(errs, "POI id is required") {
		t.Fatalf("approve without id: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "nearby", "approve", "x1"); code != 2 || !strings.Contains(errs, "positive integer") {
		t.Fatalf("approve x1: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "nearby", "reject", p2); code != 2 || !strings.Contains(errs, "--reason is required") {
		t.Fatalf("reject without reason: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "nearby", "reject", p2, "--reason", strings.Repeat("r", 201)); code != 2 || !strings.Contains(errs, "reason: must be at most 200") {
		t.Fatalf("reject with a long reason: %d %s", code, errs)
	}

	// Reject (flags before or after the id), approve.
	code, out, errs = cli(t, s, "nearby", "reject", "--reason", "the photos do not show the store", p2)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("rejected POI %s %q of %s (Cafe)", p2, "Cafe West", cafe.AppID)) || !strings.Contains(out, "the photos do not show the store") {
		t.Fatalf("reject: %d %s %s", code, out, errs)
	}
	code, out, errs = cli(t, s, "nearby", "approve", p1)
	if code != 0 || !strings.Contains(out, "approved POI "+p1) || !strings.Contains(out, "nearby list") {
		t.Fatalf("approve: %d %s %s", code, out, errs)
	}
	if ids := shown(); len(ids) != 1 || strconv.FormatInt(ids[0], 10) != p1 {
		t.Fatalf("nearby list after the decisions = %v, want only %s", ids, p1)
	}
	id2, _ := strconv.ParseInt(p2, 10, 64)
	if pg, err := s.Server.P.Nearby.List(t.Context(), cafe.AppID, 1, 10); err != nil || len(pg.POIs) != 1 || pg.POIs[0].ID != id2 ||
		pg.POIs[0].AuditStatus != nearby.AuditRejected || pg.POIs[0].RefuseReason != "the photos do not show the store" {
		t.Fatalf("the rejected POI as stored: %+v %v", pg, err)
	}

	// Deciding twice, unknown ids, a wrong operator key.
	if code, _, errs := cli(t, s, "nearby", "approve", p2); code != 1 || !strings.Contains(errs, "audit_status 4 (rejected)") {
		t.Fatalf("approving a rejected POI: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "nearby", "reject", p1, "--reason", "no"); code != 1 || !strings.Contains(errs, "audit_status 5 (approved)") {
		t.Fatalf("rejecting an approved POI: %d %s", code, errs)
	}
	if code, _, errs := cli(t, s, "nearby", "approve", "999999"); code != 1 || !strings.Contains(errs, "poi not exist") {
		t.Fatalf("approve 999999: %d %s", code, errs)
	}
	if code, out, _ := cli(t, s, "nearby", "reviews"); code != 0 || !strings.Contains(out, "no nearby POIs are waiting") {
		t.Fatalf("queue after the decisions: %d %s", code, out)
	}
	p3 := cliNearbyPOI(t, s, shop, "Shop North", 31.2334, "123456789012345")
	t.Setenv("SUPERAPP_OPERATOR_KEY", "not-the-key")
	if code, _, errs := cli(t, s, "nearby", "approve", p3); code != 1 || !strings.Contains(errs, "operator key") {
		t.Fatalf("approve with a wrong key: %d %s", code, errs)
	}
	if len(shown()) != 1 {
		t.Fatalf("a refused approve showed POI %s", p3)
	}
}
