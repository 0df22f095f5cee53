package sdkcompat_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/ArtisanCloud/PowerLibs/v3/object"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/contract"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/messages"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/power"
	kresponse "github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/response"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/broadcasting"
	brequest "github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/broadcasting/request"
	bresponse "github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/broadcasting/response"
	trequest "github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/templateMessage/request"

	oa "superapp/internal/officialaccount"
)

// PowerWeChat's media client: every type uploads; Get returns the bytes.
func TestPowerWeChatTemporaryMedia(t *testing.T) {
	w := newMsgWorld(t)
	ctx := context.Background()
	dir := t.TempDir()
	off := powerOfficialAccount(t, w.s.Transport(), w.app)
	for _, typ := range []string{"image", "voice", "video", "thumb"} {
		path, data := mediaFile(t, dir, typ)
		res, err := off.Media.Upload(ctx, typ, path)
		if err != nil || res.ErrCode != 0 || res.Type != typ {
			t.Fatalf("Upload(%s) = %+v, %v", typ, res, err)
		}
		id := res.MediaID
		if typ == "thumb" {
			id = res.ThumbMediaID
		}
		if id == "" || res.CreatedAt == 0 {
			t.Fatalf("Upload(%s) = %+v", typ, res)
		}
		resp, err := off.Media.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if typ == "video" {
			if !strings.Contains(string(got), `"video_url"`) {
				t.Fatalf("Get of a video answered %s", got)
			}
			continue
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("Get(%s) returned %d bytes, want the %d uploaded", typ, len(got), len(data))
		}
	}
	resp, err := off.Media.Get(ctx, "no-such-media")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"errcode":40007`) {
		t.Fatalf("Get of unknown media answered %s", body)
	}
}

// Customer-service messages through PowerWeChat's Messenger (every
// message type it builds), typing status, and the window's errcodes.
func TestPowerWeChatCustomerServiceMessages(t *testing.T) {
	w := newMsgWorld(t)
	ctx := context.Background()
	dir := t.TempDir()
	off := powerOfficialAccount(t, w.s.Transport(), w.app)
	alice, openid := w.follower(t, "alice", w.app.AppID)
	upload := func(typ string) string {
		path, _ := mediaFile(t, dir, typ)
		res, err := off.Media.Upload(ctx, typ, path)
		if err != nil || res.ErrCode != 0 {
			t.Fatalf("Upload(%s) = %+v, %v", typ, res, err)
		}
		if typ == "thumb" {
			return res.ThumbMediaID
		}
		return res.MediaID
	}
	img, voice, video, thumb := upload("image"), upload("voice"), upload("video"), upload("thumb")

	cases := []struct {
		msg  contract.MessageInterface
		kind string
		ok   func(b oa.Body) bool
	}{
		{messages.NewText("Hello from PowerWeChat"), "text", func(b oa.Body) bool { return b.Text == "Hello from PowerWeChat" }},
		{messages.NewImage(img, &power.HashMap{}), "image", func(b oa.Body) bool { return b.URL == "/shell/media/"+img }},
		{messages.NewVoice(voice, &power.HashMap{}), "voice", func(b oa.Body) bool { return b.URL == "/shell/media/"+voice }},
		{messages.NewVideo(video, &power.HashMap{"title": "Clip", "description": "d", "thumb_media_id": thumb}), "video",
			func(b oa.Body) bool { return b.URL == "/shell/media/"+video && b.Title == "Clip" }},
		{messages.NewMusic(&power.HashMap{"title": "Song", "url": "http://m.example/a.mp3", "hq_url": "http://m.example/b.mp3", "thumb_media_id": thumb}), "music",
			func(b oa.Body) bool {
				return b.MusicURL == "http://m.example/a.mp3" && b.HQMusicURL == "http://m.example/b.mp3"
			}},
		{messages.NewNews([]*object.HashMap{{"title": "Headline", "description": "d", "url": "http://news.example/1", "picurl": "http://news.example/1.jpg"}}), "news",
			func(b oa.Body) bool {
				return len(b.Articles) == 1 && b.Articles[0].PicURL == "http://news.example/1.jpg"
			}},
		{messages.NewMedia("MATERIAL_1", "mpnews", &power.HashMap{}), "mpnews", func(b oa.Body) bool { return strings.Contains(b.Title, "MATERIAL_1") }},
		{messages.NewNewsArticle(&power.HashMap{"article_id": "ARTICLE_1"}), "mpnews", func(b oa.Body) bool { return strings.Contains(b.Title, "ARTICLE_1") }},
		// NewMsgMenu's properties leave out the list; passed as an
		// attribute it is sent.
		{messages.NewMsgMenu(&power.HashMap{"head_content": "Happy?", "list": []power.HashMap{{"id": "1", "content": "Yes"}, {"id": "2", "content": "No"}}}), "msgmenu",
			func(b oa.Body) bool { return b.Menu != nil && len(b.Menu.Items) == 2 && b.Menu.Head == "Happy?" }},
		{messages.NewMiniProgramPage(&power.HashMap{"title": "Shop", "appid": "wx1234567890abcdef", "pagepath": "pages/index", "thumb_media_id": img}), "miniprogrampage",
			func(b oa.Body) bool { return b.MiniProgram != nil && b.MiniProgram.AppID == "wx1234567890abcdef" }},
		{messages.NewCard("CARD_1"), "news", func(b oa.Body) bool { return strings.Contains(b.Title, "CARD_1") }},
	}
	for i, c := range cases {
		if i%5 == 0 {
			w.says(t, w.app.AppID, alice)
		}
		res, err := off.CustomerService.Message(ctx, c.msg).SetTo(openid).Send(ctx)
		if err != nil || res.(*kresponse.ResponseOfficialAccount).ErrCode != 0 {
			t.Fatalf("Send(%s) = %+v, %v", c.msg.GetType(), res, err)
		}
		if m := w.last(t, w.app.AppID, alice); m.Kind != c.kind || m.Source != oa.SourceCustom || !c.ok(m.Body) {
			t.Fatalf("%s arrived as %s %+v", c.msg.GetType(), m.Kind, m.Body)
		}
	}
	// customservice (a staff account) is accepted.
	res, err := off.CustomerService.Message(ctx, messages.NewText("from staff")).SetTo(openid).SetBy("kf2001@news").Send(ctx)
	if err != nil || res.(*kresponse.ResponseOfficialAccount).ErrCode != 0 {
		t.Fatalf("Send with customservice = %+v, %v", res, err)
	}
	if r, err := off.CustomerService.ShowTypingStatusToUser(ctx, openid); err != nil || r.ErrCode != 0 {
		t.Fatalf("ShowTypingStatusToUser = %+v, %v", r, err)
	}
	if r, err := off.CustomerService.HideTypingStatusToUser(ctx, openid); err != nil || r.ErrCode != 0 {
		t.Fatalf("HideTypingStatusToUser = %+v, %v", r, err)
	}
	for range 3 { // 11 + 1 messages so far: 3 left in this window
		off.CustomerService.Message(ctx, messages.NewText("more")).SetTo(openid).Send(ctx)
	}
	res, err = off.CustomerService.Message(ctx, messages.NewText("too many")).SetTo(openid).Send(ctx)
	if err != nil || res.(*kresponse.ResponseOfficialAccount).ErrCode != 45047 {
		t.Fatalf("over the window's count: %+v, %v; want errcode 45047", res, err)
	}
	_, stranger := w.follower(t, "bob", w.app.AppID)
	w.s.Server.P.DB.Exec(ctx, "UPDATE oa_followers SET window_opened_at = 0 WHERE appid = ?", w.app.AppID)
	res, err = off.CustomerService.Message(ctx, messages.NewText("late")).SetTo(stranger).Send(ctx)
	if err != nil || res.(*kresponse.ResponseOfficialAccount).ErrCode != 45015 {
		t.Fatalf("outside the window: %+v, %v; want errcode 45015", res, err)
	}
	if r, err := off.CustomerService.ShowTypingStatusToUser(ctx, stranger); err != nil || r.ErrCode != 45015 {
		t.Fatalf("typing outside the window: %+v, %v", r, err)
	}
}

// Template messages through PowerWeChat's TemplateMessage client, which has
// the industry calls silenceper lacks.
func TestPowerWeChatTemplates(t *testing.T) {
	w := newMsgWorld(t)
	ctx := context.Background()
	off := powerOfficialAccount(t, w.s.Transport(), w.app)
	tm := off.TemplateMessage
	if r, err := tm.SetIndustry(ctx, "99", "2", nil); err != nil || r.ErrCode != 40102 {
		t.Fatalf("SetIndustry(99) = %+v, %v", r, err)
	}
	if r, err := tm.SetIndustry(ctx, "13", "1", nil); err != nil || r.ErrCode != 0 {
		t.Fatalf("SetIndustry = %+v, %v", r, err)
	}
	ind, err := tm.GetIndustry(ctx)
	if err != nil || ind.PrimaryIndustry == nil || ind.PrimaryIndustry.SecondClass != "快递" || ind.SecondaryIndustry.FirstClass != "IT科技" {
		t.Fatalf("GetIndustry = %+v, %v", ind, err)
	}
	added, err := tm.AddTemplate(ctx, "OPENTM401833445", []string{})
	if err != nil || added.ErrCode != 0 || added.TemplateId == "" {
		t.Fatalf("AddTemplate = %+v, %v", added, err)
	}
	if r, err := tm.AddTemplate(ctx, "OPENTM207103254", nil); err != nil || r.ErrCode != 45027 {
		t.Fatalf("AddTemplate of another industry = %+v, %v", r, err)
	}
	list, err := tm.GetPrivateTemplates(ctx)
	if err != nil || len(list.TemplateList) != 1 || list.TemplateList[0].TemplateID != added.TemplateId || list.TemplateList[0].DeputyIndustry != "快递" {
		t.Fatalf("GetPrivateTemplates = %+v, %v", list, err)
	}
	alice, openid := w.follower(t, "alice", w.app.AppID)
	sent, err := tm.Send(ctx, &trequest.RequestTemlateMessage{
		ToUser: openid, TemplateID: added.TemplateId, URL: "https://express.example/t/1",
		MiniProgram: &trequest.MiniProgram{AppID: "wx1234567890abcdef", PagePath: "pages/track?id=1"},
		Data:        &power.HashMap{"keyword1": &power.HashMap{"value": "YT9876543210"}, "keyword3": &power.HashMap{"value": "本人", "color": "#FF0000"}},
	})
	if err != nil || sent.ErrCode != 0 || sent.MsgID == 0 {
		t.Fatalf("Send = %+v, %v", sent, err)
	}
	m := w.last(t, w.app.AppID, alice)
	card := m.Body.Template
	if m.ID != sent.MsgID || card == nil || card.Title != "快递签收通知" || card.MiniProgram == nil || card.MiniProgram.PagePath != "pages/track?id=1" ||
		card.Fields[1] != (oa.TemplateField{Key: "keyword1", Label: "快递单号", Value: "YT9876543210"}) || card.Fields[3].Color != "#FF0000" {
		t.Fatalf("template arrived as %+v %+v", m, card)
	}
	if r, err := tm.Send(ctx, &trequest.RequestTemlateMessage{ToUser: "oNOBODY", TemplateID: added.TemplateId, Data: &power.HashMap{}}); err != nil || r.ErrCode != 40003 {
		t.Fatalf("Send to an unknown OpenID = %+v, %v", r, err)
	}
	if r, err := tm.DeletePrivateTemplate(ctx, added.TemplateId); err != nil || r.ErrCode != 0 {
		t.Fatalf("DeletePrivateTemplate = %+v, %v", r, err)
	}
	if r, err := tm.Send(ctx, &trequest.RequestTemlateMessage{ToUser: openid, TemplateID: added.TemplateId, Data: &power.HashMap{}}); err != nil || r.ErrCode != 40037 {
		t.Fatalf("Send with a deleted template = %+v, %v", r, err)
	}
	// A subscription account has no template messages.
	sub := powerOfficialAccount(t, w.s.Transport(), w.s.CreateApp(t, "subscription", "Blog"))
	if r, err := sub.TemplateMessage.GetPrivateTemplates(ctx); err != nil || r.ErrCode != 48001 {
		t.Fatalf("subscription account's GetPrivateTemplates = %+v, %v", r, err)
	}
}

// Mass messages through PowerWeChat's Broadcasting client.
func TestPowerWeChatBroadcasting(t *testing.T) {
	w := newMsgWorld(t, func(p *oa.Policy) { p.MassServicePerUserMonth = 100 })
	ctx := context.Background()
	dir := t.TempDir()
	off := powerOfficialAccount(t, w.s.Transport(), w.app)
	var users, openids []string
	for i := range 4 {
		u, o := w.follower(t, fmt.Sprint("fan", i), w.app.AppID)
		users, openids = append(users, u), append(openids, o)
	}
	tag, err := w.s.Server.P.OA.CreateTag(ctx, w.app.AppID, "vip")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Server.P.OA.TagFollowers(ctx, w.app.AppID, tag.ID, openids[1:2]); err != nil {
		t.Fatal(err)
	}
	bc := off.Broadcasting
	sent := func(res any, err error) int64 {
		t.Helper()
		r, ok := res.(*bresponse.ResponseBroadcastingSend)
		if err != nil || !ok || r.ErrCode != 0 || r.MsgID == 0 {
			t.Fatalf("send = %+v, %v", res, err)
		}
		st, err := func() (*bresponse.ResponseBroadcastingStatus, error) {
			w.awaitMass(t, w.app.AppID, int64(r.MsgID))
			return bc.Status(ctx, strconv.Itoa(r.MsgID))
		}()
		if err != nil || st.MsgStatus != "SEND_SUCCESS" || st.MsgID != r.MsgID {
			t.Fatalf("Status = %+v, %v", st, err)
		}
		return int64(r.MsgID)
	}

	sent(bc.SendText(ctx, "to everyone", &brequest.Reception{}, nil))
	if got := w.received(t, w.app.AppID, "to everyone", users...); len(got) != 4 {
		t.Fatalf("received %v", got)
	}
	sent(bc.SendText(ctx, "to the tag", &brequest.Reception{Filter: &brequest.Filter{TagID: int(tag.ID)}}, nil))
	if got := w.received(t, w.app.AppID, "to the tag", users...); len(got) != 1 || got[users[1]] != 1 {
		t.Fatalf("tag received %v", got)
	}
	listed := &brequest.Reception{ToUser: openids[2:]}
	sent(bc.SendText(ctx, "to the list", listed, nil))
	if got := w.received(t, w.app.AppID, "to the list", users...); len(got) != 2 || got[users[2]] != 1 || got[users[3]] != 1 {
		t.Fatalf("list received %v", got)
	}
	imgPath, _ := mediaFile(t, dir, "image")
	up, err := off.Media.Upload(ctx, "image", imgPath)
	if err != nil || up.MediaID == "" {
		t.Fatalf("Upload = %+v, %v", up, err)
	}
	// PowerWeChat sends an image as image.media_id, not images.media_ids.
	sent(bc.SendImage(ctx, up.MediaID, listed, nil))
	if m := w.last(t, w.app.AppID, users[3]); m.Kind != "image" || m.Body.URL != "/shell/media/"+up.MediaID {
		t.Fatalf("image arrived as %+v", m)
	}
	id := sent(bc.SendNews(ctx, "MATERIAL_1", listed, nil))
	sent(bc.SendCard(ctx, "CARD_1", listed, nil))

	// PreviewText sends touser as {"touser":[…]}.
	pr, err := bc.PreviewText(ctx, "preview", &brequest.Reception{ToUser: openids[:1]}, broadcasting.BROADCASTING_PREVIEW_BY_OPENID)
	if err != nil || pr.ErrCode != 0 {
		t.Fatalf("PreviewText = %+v, %v", pr, err)
	}
	if m := w.last(t, w.app.AppID, users[0]); m.Body.Text != "preview" {
		t.Fatalf("preview arrived as %+v", m)
	}
	if r, err := bc.Delete(ctx, strconv.FormatInt(id, 10), 0); err != nil || r.ErrCode != 0 {
		t.Fatalf("Delete = %+v, %v", r, err)
	}
	if st, err := bc.Status(ctx, strconv.FormatInt(id, 10)); err != nil || st.MsgStatus != "DELETE" {
		t.Fatalf("Status after Delete = %+v, %v", st, err)
	}
	res, err := bc.SendText(ctx, "one", &brequest.Reception{ToUser: openids[:1]}, nil)
	if r, ok := res.(*bresponse.ResponseBroadcastingSend); err != nil || !ok || r.ErrCode != 40130 {
		t.Fatalf("a list of one = %+v, %v; want errcode 40130", res, err)
	}
}
