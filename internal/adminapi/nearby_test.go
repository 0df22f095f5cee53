package adminapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"superapp/internal/nearby"
	"superapp/internal/server"
	"superapp/internal/testserver"
)

// manualNearbyAudit runs the server under the policy nearby.manual_audit.
func manualNearbyAudit(t *testing.T) testserver.Option {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(`{"nearby":{"manual_audit":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *server.Config) { c.PolicyFile = path }
}

// addNearbyPOI adds a POI through /wxa/addnearbypoi and returns its id.
func addNearbyPOI(t *testing.T, s *testserver.Server, tok, name string, lat float64, credential string) int64 {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"store_name": name, "address": name + " Road 1", "credential": credential,
		"hour": "09:00-21:00", "latitude": lat, "longitude": 121.4737})
	m := s.Post(t, "/wxa/addnearbypoi?access_token="+tok, string(body))
	data, _ := m["data"].(map[string]any)
	idText, _ := data["poi_id"].(string)
	id, err := strconv.ParseInt(idText, 10, 64)
	if testserver.Errcode(m) != 0 || err != nil {
		t.Fatalf("addnearbypoi %s: %v", name, m)
	}
	return id
}

type nearbyReviewAnswer struct {
	PoiID         int64   `json:"poi_id"`
	AppID         string  `json:"appid"`
	AppName       string  `json:"app_name"`
	StoreName     string  `json:"store_name"`
	Address       string  `json:"address"`
	Credential    string  `json:"credential"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	SubmittedAt   int64   `json:"submitted_at"`
	AuditStatus   int     `json:"audit_status"`
	DisplayStatus int     `json:"display_status"`
	RefuseReason  string  `json:"refuse_reason"`
}

type nearbyQueueAnswer struct {
	Total int                  `json:"total"`
	POIs  []nearbyReviewAnswer `json:"pois"`
}

// developerPOIs is what /wxa/getnearbypoilist tells the developer, by poi_id.
func developerPOIs(t *testing.T, s *testserver.Server, tok string) map[string]map[string]any {
	t.Helper()
	list := s.Post(t, "/wxa/getnearbypoilist?access_token="+tok, `{"page":1,"page_rows":100}`)
	inner, _ := list["data"].(map[string]any)["data"].(string)
	var parsed struct {
		POIList []map[string]any `json:"poi_list"`
	}
	if err := json.Unmarshal([]byte(inner), &parsed); err != nil {
		t.Fatalf("getnearbypoilist = %v: %v", list, err)
	}
	out := map[string]map[string]any{}
	for _, p := range parsed.POIList {
		out[p["poi_id"].(string)] = p
	}
	return out
}

func TestNearbyReviewAdminAPI(t *testing.T) {
	s := testserver.New(t, manualNearbyAudit(t))
	shop := s.CreateApp(t, "miniprogram", "Shop")
	cafe := s.CreateApp(t, "miniprogram", "Cafe")
	shopTok, cafeTok := s.AccessToken(t, shop), s.AccessToken(t, cafe)
	q := nearby.Query{Latitude: 31.2304, Longitude: 121.4737, Page: 1, PageSize: 20}
	shown := func() []int64 {
		t.Helper()
		res, err := s.Server.P.Nearby.Nearby(q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range res.Items {
			ids = append(ids, it.PoiID)
		}
		return ids
	}

	var queue nearbyQueueAnswer
	s.Call(t, "GET", "/admin/v1/nearby/reviews", nil, &queue)
	if queue.Total != 0 || queue.POIs == nil || len(queue.POIs) != 0 {
		t.Fatalf("empty queue = %+v", queue)
	}
	p1 := addNearbyPOI(t, s, shopTok, "Shop East", 31.2314, "123456789012345")
	p2 := addNearbyPOI(t, s, cafeTok, "Cafe West", 31.2324, "987654321098765")
	p3 := addNearbyPOI(t, s, shopTok, "Shop North", 31.2334, "123456789012345")
	if ids := shown(); len(ids) != 0 {
		t.Fatalf("POIs in review are on the nearby list: %v", ids)
	}

	// The queue: every app's POIs in review, oldest first, with what the
	// operator judges by.
	s.Call(t, "GET", "/admin/v1/nearby/reviews", nil, &queue)
	if queue.Total != 3 || len(queue.POIs) != 3 || queue.POIs[0].PoiID != p1 || queue.POIs[1].PoiID != p2 || queue.POIs[2].PoiID != p3 {
		t.Fatalf("queue = %+v, want %d, %d, %d", queue, p1, p2, p3)
	}
	first, second := queue.POIs[0], queue.POIs[1]
	if first.AppID != shop.AppID || first.AppName != "Shop" || first.StoreName != "Shop East" || first.Address != "Shop East Road 1" ||
		first.Latitude != 31.2314 || first.Longitude != 121.4737 || first.SubmittedAt == 0 || first.AuditStatus != 3 ||
		first.Credential != "123456789012345" || second.AppID != cafe.AppID || second.AppName != "Cafe" {
		t.Fatalf("queue entries = %+v, %+v", first, second)
	}
	s.Call(t, "GET", "/admin/v1/nearby/reviews?limit=2", nil, &queue)
	if queue.Total != 3 || len(queue.POIs) != 2 || queue.POIs[1].PoiID != p2 {
		t.Fatalf("limit 2 = %+v, want the oldest 2 of 3", queue)
	}
	for _, bad := range []string{"0", "x", "1001", "-1"} {
		refusedWith(t, s, "GET", "/admin/v1/nearby/reviews?limit="+bad, nil, 400, "limit", "between 1 and 1000")
	}

	// Approve: the POI is shown on the nearby list at once.
	var approved nearbyReviewAnswer
	s.Call(t, "POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/approve", p1), nil, &approved)
	if approved.PoiID != p1 || approved.AuditStatus != 5 || approved.DisplayStatus != 1 || approved.AppName != "Shop" {
		t.Fatalf("approve = %+v", approved)
	}
	if ids := shown(); len(ids) != 1 || ids[0] != p1 {
		t.Fatalf("after approval the nearby list = %v, want [%d]", ids, p1)
	}
	if p := developerPOIs(t, s, shopTok)[strconv.FormatInt(p1, 10)]; p["audit_status"] != float64(5) || p["display_status"] != float64(1) {
		t.Fatalf("the developer sees %v", p)
	}

	// Reject needs a reason the domain accepts; a refused reject changes nothing.
	reject := fmt.Sprintf("/admin/v1/nearby/pois/%d/reject", p2)
	refusedWith(t, s, "POST", reject, map[string]any{}, 400, "reason", "required")
	refusedWith(t, s, "POST", reject, map[string]any{"reason": "   "}, 400, "reason", "required")
	refusedWith(t, s, "POST", reject, map[string]any{"reason": strings.Repeat("长", 201)}, 400, "reason", "at most 200")
	refusedWith(t, s, "POST", reject, map[string]any{"reason": "x", "why": 1}, 400, "body", "unknown field")
	refusedWith(t, s, "POST", reject, map[string]any{"reason": "bad\u0000"}, 400, "body", "NUL")
	s.Call(t, "GET", "/admin/v1/nearby/reviews", nil, &queue)
	if queue.Total != 2 || queue.POIs[0].PoiID != p2 || queue.POIs[0].AuditStatus != 3 {
		t.Fatalf("after refused rejects the queue = %+v", queue)
	}
	var rejected nearbyReviewAnswer
	s.Call(t, "POST", reject, map[string]any{"reason": "  the photos do not show the store  "}, &rejected)
	if rejected.PoiID != p2 || rejected.AuditStatus != 4 || rejected.DisplayStatus != 0 || rejected.RefuseReason != "the photos do not show the store" {
		t.Fatalf("reject = %+v", rejected)
	}
	if ids := shown(); len(ids) != 1 || ids[0] != p1 {
		t.Fatalf("after rejection the nearby list = %v, want only [%d]", ids, p1)
	}
	if p := developerPOIs(t, s, cafeTok)[strconv.FormatInt(p2, 10)]; p["audit_status"] != float64(4) || p["refuse_reason"] != "the photos do not show the store" {
		t.Fatalf("the developer sees %v", p)
	}
	if r := s.Post(t, "/wxa/setnearbypoishowstatus?access_token="+cafeTok, fmt.Sprintf(`{"poi_id":"%d","status":1}`, p2)); testserver.Errcode(r) != 92007 {
		t.Fatalf("showing the rejected POI: %v, want 92007", r)
	}

	// Deciding twice is refused, naming the status it has.
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/approve", p2), nil, 409, "", "audit_status 4 (rejected)")
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/reject", p1), map[string]any{"reason": "no"}, 409, "", "audit_status 5 (approved)")
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/approve", p1), nil, 409, "", "not waiting for a review decision")
	if ids := shown(); len(ids) != 1 || ids[0] != p1 {
		t.Fatalf("after refused decisions the nearby list = %v", ids)
	}

	// Unknown, malformed and deleted ids.
	refusedWith(t, s, "POST", "/admin/v1/nearby/pois/999999/approve", nil, 404, "", "poi not exist: poi_id 999999")
	refusedWith(t, s, "POST", "/admin/v1/nearby/pois/abc/approve", nil, 400, "poi_id", "positive integer")
	refusedWith(t, s, "POST", "/admin/v1/nearby/pois/0/reject", map[string]any{"reason": "x"}, 400, "poi_id", "positive integer")
	if r := s.Post(t, "/wxa/delnearbypoi?access_token="+shopTok, fmt.Sprintf(`{"poi_id":"%d"}`, p3)); testserver.Errcode(r) != 0 {
		t.Fatalf("delnearbypoi: %v", r)
	}
	refusedWith(t, s, "POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/approve", p3), nil, 404, "", "poi not exist")
	s.Call(t, "GET", "/admin/v1/nearby/reviews", nil, &queue)
	if queue.Total != 0 || len(queue.POIs) != 0 {
		t.Fatalf("queue after decisions and a delete = %+v", queue)
	}

	// Only the operator: no key, a wrong key, an app's access token.
	p4 := addNearbyPOI(t, s, cafeTok, "Cafe South", 31.2294, "987654321098765")
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + cafeTok, "Basic " + testserver.OperatorKey} {
		for _, call := range []struct{ method, path, body string }{
			{"GET", "/admin/v1/nearby/reviews", ""},
			{"POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/approve", p4), "{}"},
			{"POST", fmt.Sprintf("/admin/v1/nearby/pois/%d/reject", p4), `{"reason":"no"}`},
		} {
			req, _ := http.NewRequest(call.method, s.URL+call.path, strings.NewReader(call.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var pb problemBody
			json.NewDecoder(resp.Body).Decode(&pb)
			resp.Body.Close()
			if resp.StatusCode != 401 || pb.Error.Code != "unauthorized" {
				t.Fatalf("%s %s with %q: %d %+v, want 401 unauthorized", call.method, call.path, auth, resp.StatusCode, pb)
			}
		}
	}
	s.Call(t, "GET", "/admin/v1/nearby/reviews", nil, &queue)
	if queue.Total != 1 || queue.POIs[0].PoiID != p4 || queue.POIs[0].AuditStatus != 3 {
		t.Fatalf("after refused outsiders the queue = %+v", queue)
	}
}
