package sdkcompat_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
	"github.com/silenceper/wechat/v2/util"

	"superapp/internal/testserver"
)

// Subscribe messages through silenceper: categories, keywords, add, list,
// send (with and without a credit), delete.
func TestSilenceperSubscribeMessages(t *testing.T) {
	ctx := context.Background()
	s := testserver.New(t)
	app := s.CreateApp(t, "miniprogram", "Shop")
	u := s.CreateUser(t, "sub-alice", "")
	sub := silenceperMP(silenceper(t, s.Transport()), app).GetSubscribe()

	cats, err := sub.GetCategory()
	if err != nil || len(cats) == 0 || cats[0].ID == 0 || cats[0].Name == "" {
		t.Fatalf("GetCategory = %v, %v", cats, err)
	}
	kws, err := sub.GetPubTemplateKeywordsByID("99")
	if err != nil || kws.Count != 5 || kws.Data[1].Rule != "amount" || kws.Data[1].KID != 2 {
		t.Fatalf("GetPubTemplateKeywordsByID = %+v, %v", kws, err)
	}
	// silenceper v2.1.9 declares tid a string; WeChat's documented answer
	// (and ours) has it a number, so this SDK cannot read the title list.
	if _, err := sub.GetPubTemplateTitleList(&subscribe.GetPubTemplateTitleListRequest{IDs: "1184", Start: 0, Limit: 5}); err == nil || !strings.Contains(err.Error(), "Unmarshal") {
		t.Fatalf("GetPubTemplateTitleList: %v; expected the SDK's decoding error on the numeric tid", err)
	}

	id, err := sub.Add("99", []int{1, 2, 4}, "下单后通知")
	if err != nil || len(id) != 43 {
		t.Fatalf("Add = %q, %v", id, err)
	}
	var ce *util.CommonError
	if _, err := sub.Add("99", []int{1}, ""); !errors.As(err, &ce) || ce.ErrCode != 200020 {
		t.Fatalf("Add with one keyword: %v, want 200020", err)
	}
	list, err := sub.ListTemplates()
	if err != nil || len(list.Data) != 1 || list.Data[0].PriTmplID != id || list.Data[0].Type != 2 || !strings.Contains(list.Data[0].Content, "{{amount2.DATA}}") {
		t.Fatalf("ListTemplates = %+v, %v", list, err)
	}

	openid, _ := s.Server.P.Identity.Enroll(ctx, app.AppID, u.ID)
	msg := &subscribe.Message{ToUser: openid, TemplateID: id, Page: "pages/index/index", MiniprogramState: "formal", Lang: "zh_CN",
		Data: map[string]*subscribe.DataItem{
			"character_string1": {Value: "20191104123456"}, "amount2": {Value: "¥100.00"}, "time4": {Value: "2019-11-04 12:00"},
		}}
	if err := sub.Send(msg); !errors.As(err, &ce) || ce.ErrCode != 43101 {
		t.Fatalf("Send without consent: %v, want 43101", err)
	}
	if _, err := s.Server.P.Subscribe.Decide(ctx, app.AppID, u.ID, map[string]string{id: "accept"}, false); err != nil {
		t.Fatal(err)
	}
	if err := sub.Send(msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msg.Data["amount2"] = &subscribe.DataItem{Value: 1.234} // a JSON number with three decimals: not an amount
	if err := sub.Send(msg); !errors.As(err, &ce) || ce.ErrCode != 47003 {
		t.Fatalf("Send with a bad amount: %v, want 47003", err)
	}
	if list, _, _ := s.Server.P.Subscribe.Inbox(ctx, u.ID, 0, 10); len(list) != 1 || list[0].Title != "付款成功通知" {
		t.Fatalf("inbox %+v", list)
	}

	if err := sub.Delete(id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := sub.Delete(id); !errors.As(err, &ce) || ce.ErrCode != 40037 {
		t.Fatalf("Delete again: %v, want 40037", err)
	}
}
