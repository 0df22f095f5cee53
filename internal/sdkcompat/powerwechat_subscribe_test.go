package sdkcompat_test

import (
	"context"
	"testing"

	"github.com/ArtisanCloud/PowerWeChat/v3/src/basicService/subscribeMessage/request"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/power"

	"superapp/internal/testserver"
)

// Subscribe messages through PowerWeChat: the whole newtmpl family and send.
func TestPowerWeChatSubscribeMessages(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	u := s.CreateUser(t, "sub-bob", "")
	rec := newRecorder(s)
	mp := powerMiniProgram(t, rec, app)
	sm := mp.SubscribeMessage

	cats, err := sm.GetCategory(ctx)
	if err != nil || cats.ErrCode != 0 || len(cats.Data) == 0 {
		t.Fatalf("GetCategory = %+v, %v", cats, err)
	}
	titles, err := sm.GetPubTemplateTitleList(ctx, "1184,616", 0, 5)
	if err != nil || titles.ErrCode != 0 || titles.Count != 8 || len(titles.Data) != 5 {
		t.Fatalf("GetPubTemplateTitleList = %+v, %v", titles, err)
	}
	if bad, err := sm.GetPubTemplateTitleList(ctx, "1184", 0, 31); err != nil || bad.ErrCode != 200017 {
		t.Fatalf("limit 31 = %+v, %v; want 200017", bad, err)
	}
	kws, err := sm.GetPubTemplateKeyWordsByID(ctx, "616")
	if err != nil || kws.ErrCode != 0 || len(kws.Data) != 4 || (*kws.Data[3])["rule"] != "car_number" {
		t.Fatalf("GetPubTemplateKeyWordsByID = %+v, %v", kws, err)
	}
	added, err := sm.AddTemplate(ctx, "616", []int{1, 2, 3, 4}, "到站提醒")
	if err != nil || added.ErrCode != 0 || len(added.PriTmplID) != 43 {
		t.Fatalf("AddTemplate = %+v, %v", added, err)
	}
	if got := rec.To("/wxaapi/newtmpl/addtemplate"); len(got) != 1 || got[0].Method != "POST" {
		t.Fatalf("addtemplate calls %+v", got)
	}
	list, err := sm.GetTemplateList(ctx)
	if err != nil || list.ErrCode != 0 || len(list.Data) != 1 || (*list.Data[0])["priTmplId"] != added.PriTmplID {
		t.Fatalf("GetTemplateList = %+v, %v", list, err)
	}

	openid, _ := s.Server.P.Identity.Enroll(ctx, app.AppID, u.ID)
	send := &request.RequestSubscribeMessageSend{
		ToUser: openid, TemplateID: added.PriTmplID, Page: "pages/index/index", MiniProgramState: "developer",
		Data: &power.HashMap{
			"thing1": power.HashMap{"value": "M388路"}, "thing2": power.HashMap{"value": "科技园站"},
			"time3": power.HashMap{"value": "08:15"}, "car_number4": power.HashMap{"value": "粤B12345"},
		},
	}
	if r, err := sm.Send(ctx, send); err != nil || r.ErrCode != 43101 {
		t.Fatalf("Send without consent = %+v, %v; want 43101", r, err)
	}
	if _, err := s.Server.P.Subscribe.Decide(ctx, app.AppID, u.ID, map[string]string{added.PriTmplID: "accept"}, false); err != nil {
		t.Fatal(err)
	}
	if r, err := sm.Send(ctx, send); err != nil || r.ErrCode != 0 {
		t.Fatalf("Send = %+v, %v", r, err)
	}
	if list, _, _ := s.Server.P.Subscribe.Inbox(ctx, u.ID, 0, 10); len(list) != 1 || list[0].EnvVersion != "develop" || list[0].Fields[3].Value != "粤B12345" {
		t.Fatalf("inbox %+v", list)
	}
	if r, err := sm.DeleteTemplate(ctx, added.PriTmplID); err != nil || r.ErrCode != 0 {
		t.Fatalf("DeleteTemplate = %+v, %v", r, err)
	}
	if r, err := sm.Send(ctx, send); err != nil || r.ErrCode != 40037 {
		t.Fatalf("Send with a deleted template = %+v, %v; want 40037", r, err)
	}
}
