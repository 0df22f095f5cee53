package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"superapp/internal/account"
	"superapp/internal/testserver"
)

type nearbyWorld struct {
	s   *testserver.Server
	app testserver.App
	tok string
}

func (w *nearbyWorld) post(t *testing.T, tok, path string, body any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	return w.s.Post(t, path+"?access_token="+tok, string(raw))
}

func nearbyPOIBody(name string, lat float64, credential string) map[string]any {
	return map[string]any{
		"is_comm_nearby": "1", "kf_info": "", "pic_list": `{"list":["https://example.com/1.jpg"]}`,
		"service_infos": `{"service_infos":[{"id":2,"type":1,"name":"外卖","appid":"wx","path":"pages/index"}]}`,
		"store_name":    name, "hour": "10:00-22:00", "address": name + " street 1", "company_name": "Example Ltd",
		"contract_phone": "021-12345678", "credential": credential, "qualification_list": "", "map_poi_id": "",
		"latitude": lat, "longitude": 121.4737,
	}
}

func TestNearbyPOIWire(t *testing.T) {
	s := testserver.New(t)
	w := &nearbyWorld{s: s, app: s.CreateApp(t, "miniprogram", "Shop")}
	w.tok = s.AccessToken(t, w.app)

	add := w.post(t, w.tok, "/wxa/addnearbypoi", nearbyPOIBody("Shop A", 31.2394, "123456789012345"))
	data, _ := add["data"].(map[string]any)
	if testserver.Errcode(add) != 0 || add["errmsg"] != "ok" || data == nil {
		t.Fatalf("addnearbypoi = %v", add)
	}
	poiID, _ := data["poi_id"].(string)
	if _, err := strconv.ParseInt(poiID, 10, 64); err != nil || data["audit_id"] == "" || data["related_credential"] != "123456789012345" {
		t.Fatalf("addnearbypoi data = %v, want string poi_id and audit_id", data)
	}

	// getnearbypoilist: the inner data is a JSON string, as WeChat's.
	for _, list := range []map[string]any{
		w.post(t, w.tok, "/wxa/getnearbypoilist", map[string]any{"page": 1, "page_rows": 20}),
		s.Get(t, "/wxa/getnearbypoilist?page=1&page_rows=20&access_token="+w.tok),
	} {
		outer, _ := list["data"].(map[string]any)
		inner, isString := outer["data"].(string)
		if testserver.Errcode(list) != 0 || !isString || outer["max_apply_num"] != float64(10) || outer["left_apply_num"] != float64(9) {
			t.Fatalf("getnearbypoilist = %v, want data.data a string and 9 of 10 left", list)
		}
		var parsed struct {
			POIList []map[string]any `json:"poi_list"`
		}
		if err := json.Unmarshal([]byte(inner), &parsed); err != nil || len(parsed.POIList) != 1 {
			t.Fatalf("inner data %q: %v", inner, err)
		}
		p := parsed.POIList[0]
		if p["poi_id"] != poiID || p["audit_status"] != float64(5) || p["display_status"] != float64(1) ||
			p["qualification_num"] != "123456789012345" || p["qualification_address"] != "Shop A street 1" {
			t.Fatalf("poi_list[0] = %v", p)
		}
	}

	// setnearbypoishowstatus: poi_id as a string (WeChat's type) or number.
	if r := w.post(t, w.tok, "/wxa/setnearbypoishowstatus", map[string]any{"poi_id": poiID, "status": 0}); testserver.Errcode(r) != 0 {
		t.Fatalf("hide: %v", r)
	}
	n, _ := strconv.ParseInt(poiID, 10, 64)
	if r := w.post(t, w.tok, "/wxa/setnearbypoishowstatus", map[string]any{"poi_id": n, "status": 2}); testserver.Errcode(r) != 40097 {
		t.Fatalf("status 2: %v, want 40097", r)
	}
	list := w.post(t, w.tok, "/wxa/getnearbypoilist", map[string]any{"page": 1, "page_rows": 20})
	if inner := list["data"].(map[string]any)["data"].(string); !json.Valid([]byte(inner)) || !strings.Contains(inner, `"display_status":0`) {
		t.Fatalf("after hiding: %s", inner)
	}

	// Cross-app: another mini program's token sees and touches nothing of ours.
	other := s.CreateApp(t, "miniprogram", "Other")
	otherTok := s.AccessToken(t, other)
	for _, call := range []struct {
		path string
		body map[string]any
	}{
		{"/wxa/delnearbypoi", map[string]any{"poi_id": poiID}},
		{"/wxa/setnearbypoishowstatus", map[string]any{"poi_id": poiID, "status": 1}},
	} {
		if r := w.post(t, otherTok, call.path, call.body); testserver.Errcode(r) != 93010 {
			t.Fatalf("other app %s: %v, want 93010 poi not exist", call.path, r)
		}
	}
	otherList := w.post(t, otherTok, "/wxa/getnearbypoilist", map[string]any{"page": 1, "page_rows": 20})
	if inner := otherList["data"].(map[string]any)["data"].(string); inner != `{"poi_list":[]}` {
		t.Fatalf("other app's list = %s, want empty", inner)
	}
	// The same credential for another mini program: 92003.
	if r := w.post(t, otherTok, "/wxa/addnearbypoi", nearbyPOIBody("Copy", 31.2, "123456789012345")); testserver.Errcode(r) != 92003 {
		t.Fatalf("taken credential: %v, want 92003", r)
	}

	// Errcodes for bad input and policy.
	bad := nearbyPOIBody("Bad", 31.2, "123456789012345")
	delete(bad, "latitude")
	if r := w.post(t, w.tok, "/wxa/addnearbypoi", bad); testserver.Errcode(r) != 40097 || !strings.Contains(r["errmsg"].(string), "latitude") {
		t.Fatalf("no latitude: %v, want 40097 naming latitude", r)
	}
	if r := s.Post(t, "/wxa/addnearbypoi?access_token="+w.tok, "{not json"); testserver.Errcode(r) != 47001 {
		t.Fatalf("malformed body: %v", r)
	}
	if r := s.Get(t, "/wxa/addnearbypoi?access_token="+w.tok); testserver.Errcode(r) != 43002 {
		t.Fatalf("GET addnearbypoi: %v, want 43002", r)
	}
	if r := w.post(t, w.tok, "/wxa/delnearbypoi", map[string]any{"poi_id": "999999"}); testserver.Errcode(r) != 93010 {
		t.Fatalf("unknown poi: %v", r)
	}
	for i := 1; i < 10; i++ {
		if r := w.post(t, w.tok, "/wxa/addnearbypoi", nearbyPOIBody(fmt.Sprintf("Shop %d", i), 31.2, "123456789012345")); testserver.Errcode(r) != 0 {
			t.Fatalf("add %d: %v", i, r)
		}
	}
	if r := w.post(t, w.tok, "/wxa/addnearbypoi", nearbyPOIBody("Eleventh", 31.2, "123456789012345")); testserver.Errcode(r) != 92002 {
		t.Fatalf("11th POI: %v, want 92002", r)
	}
	if r := w.post(t, w.tok, "/wxa/delnearbypoi", map[string]any{"poi_id": poiID}); testserver.Errcode(r) != 0 {
		t.Fatalf("delete: %v", r)
	}

	// Individual subjects: 93011. Official accounts: 48001.
	ctx := context.Background()
	person, err := s.Server.P.Accounts.CreateSubject(ctx, account.Individual, "Wang Wu")
	if err != nil {
		t.Fatal(err)
	}
	mine, secret, err := s.Server.P.Accounts.CreateApp(ctx, account.MiniProgram, "Personal", person.ID)
	if err != nil {
		t.Fatal(err)
	}
	mineTok := s.AccessToken(t, testserver.App{AppID: mine.AppID, Secret: secret})
	if r := w.post(t, mineTok, "/wxa/addnearbypoi", nearbyPOIBody("Mine", 31.2, "111111111111111")); testserver.Errcode(r) != 93011 {
		t.Fatalf("individual: %v, want 93011", r)
	}
	oa := s.CreateApp(t, "service", "News")
	if r := w.post(t, s.AccessToken(t, oa), "/wxa/getnearbypoilist", map[string]any{"page": 1, "page_rows": 20}); testserver.Errcode(r) != 48001 {
		t.Fatalf("official account: %v, want 48001", r)
	}
}
