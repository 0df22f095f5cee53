package sdkcompat_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/power"

	"superapp/internal/testserver"
)

// Nearby POIs through PowerWeChat's nearbyPoi client. Two quirks of the
// SDK (v3.4.10), recorded here and in docs/sdk-quirks.md: Add declares the
// answer's data as an array where WeChat sends an object, so its decode
// fails although the POI was added; SetShowStatus posts to delnearbypoi,
// so through it "hide" deletes the POI.
func TestPowerWeChatNearbyPOIs(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Coffee")
	rec := newRecorder(s)
	np := powerMiniProgram(t, rec, app).NearbyPoi

	add := func(name, mapID, credential string, lat, lng float64) {
		t.Helper()
		_, err := np.Add(ctx, &power.HashMap{
			"is_comm_nearby": "1", "store_name": name, "hour": "08:00-22:00", "address": "上海市徐汇区漕溪北路 1 号",
			"company_name": "上海咖啡有限公司", "contract_phone": "021-12345678", "credential": credential,
			"qualification_list": "", "map_poi_id": mapID, "pic_list": `{"list":[]}`, "service_infos": `{"service_infos":[]}`,
			"kf_info": "", "latitude": lat, "longitude": lng,
		})
		// The SDK cannot decode WeChat's {"data":{…}} into its []*HashMap.
		// The list below shows the POI was added all the same.
		if err == nil || !strings.Contains(err.Error(), "cannot unmarshal object") {
			t.Fatalf("Add %s: %v (want the SDK's decode error on WeChat's object data)", name, err)
		}
	}
	add("漕溪北路店", "map-1", "91310000MA1FL0000A", 31.19, 121.43)
	add("徐家汇店", "map-2", "91310000MA1FL0000A", 31.195, 121.44)

	list, err := np.GetList(ctx, 1, 10)
	if err != nil || list.ErrCode != 0 {
		t.Fatalf("GetList = %+v, %v", list, err)
	}
	// WeChat's inner data is a JSON string.
	inner, _ := (*list.Data)["data"].(string)
	var pois struct {
		PoiList []struct {
			PoiID         string `json:"poi_id"`
			AuditStatus   int    `json:"audit_status"`
			DisplayStatus int    `json:"display_status"`
		} `json:"poi_list"`
	}
	if err := json.Unmarshal([]byte(inner), &pois); err != nil || len(pois.PoiList) != 2 || (*list.Data)["max_apply_num"] != float64(10) ||
		(*list.Data)["left_apply_num"] != float64(8) {
		t.Fatalf("GetList data = %+v (inner %q, %v)", *list.Data, inner, err)
	}
	if got := rec.To("/wxa/getnearbypoilist"); len(got) != 1 || got[0].Method != "GET" {
		t.Fatalf("getnearbypoilist calls %+v", got)
	}
	first := pois.PoiList[0].PoiID

	// SetShowStatus really calls delnearbypoi: the POI is gone.
	if r, err := np.SetShowStatus(ctx, first, 0); err != nil || r.ErrCode != 0 {
		t.Fatalf("SetShowStatus = %+v, %v", r, err)
	}
	if got := rec.To("/wxa/delnearbypoi"); len(got) != 1 {
		t.Fatalf("SetShowStatus went to %d delnearbypoi calls", len(got))
	}
	if r, err := np.Delete(ctx, pois.PoiList[1].PoiID); err != nil || r.ErrCode != 0 {
		t.Fatalf("Delete = %+v, %v", r, err)
	}
	if r, err := np.Delete(ctx, first); err != nil || r.ErrCode != 93010 {
		t.Fatalf("Delete of a deleted POI = %+v, %v; want 93010", r, err)
	}
	list, _ = np.GetList(ctx, 1, 10)
	if inner, _ := (*list.Data)["data"].(string); !strings.Contains(inner, `"poi_list":[]`) {
		t.Fatalf("after deleting both: %v", *list.Data)
	}
}
