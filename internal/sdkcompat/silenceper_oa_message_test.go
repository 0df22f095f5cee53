package sdkcompat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/broadcast"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	oa "superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// msgWorld is a dev-mode server with a service account, users who follow
// it, and the SDK-independent checks of what they received.
type msgWorld struct {
	s   *testserver.Server
	app testserver.App
}

func newMsgWorld(t *testing.T, edit ...func(*oa.Policy)) *msgWorld {
	t.Helper()
	p := oa.DefaultPolicy()
	for _, e := range edit {
		e(&p)
	}
	s := testserver.New(t, testserver.Dev(), testserver.OAPolicy(p))
	return &msgWorld{s: s, app: s.CreateApp(t, "service", "News")}
}

// follower creates a user following appid and returns the user's id and OpenID.
func (w *msgWorld) follower(t *testing.T, name, appid string) (string, string) {
	t.Helper()
	u := w.s.CreateUser(t, name, "")
	if _, err := w.s.Server.P.OA.Follow(context.Background(), appid, u.ID, oa.SceneSearch, nil); err != nil {
		t.Fatal(err)
	}
	return u.ID, w.s.Server.P.Identity.OpenID(appid, u.ID)
}

// says makes the user send the account a message, which opens the
// customer-service window for 5 messages.
func (w *msgWorld) says(t *testing.T, appid, userID string) {
	t.Helper()
	if _, err := w.s.Server.P.OA.Send(context.Background(), appid, userID, oa.UserMessage{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
}

func (w *msgWorld) last(t *testing.T, appid, userID string) *oa.Message {
	t.Helper()
	msgs, err := w.s.Server.P.OA.Conversation(context.Background(), userID, appid, 0, 0, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("conversation: %v, %v", msgs, err)
	}
	return msgs[0]
}

// received counts the mass messages with text in each user's conversation.
func (w *msgWorld) received(t *testing.T, appid, text string, users ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, u := range users {
		msgs, err := w.s.Server.P.OA.Conversation(context.Background(), u, appid, 0, 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Source == oa.SourceMass && (text == "" || m.Body.Text == text) {
				out[u]++
			}
		}
	}
	return out
}

// awaitMass waits until the job is no longer SENDING.
func (w *msgWorld) awaitMass(t *testing.T, appid string, msgID int64) *oa.MassJob {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		j, err := w.s.Server.P.OA.MassJob(context.Background(), appid, msgID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != oa.MassSending {
			return j
		}
	}
	t.Fatalf("mass %d still sending", msgID)
	return nil
}

// mediaFile writes a small valid file of a media type into dir.
func mediaFile(t *testing.T, dir, typ string) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(2, 2, color.RGBA{0, 120, 200, 255})
	var buf bytes.Buffer
	name := map[string]string{"image": "photo.png", "voice": "hello.amr", "video": "clip.mp4", "thumb": "cover.jpg"}[typ]
	switch typ {
	case "image":
		png.Encode(&buf, img)
	case "thumb":
		jpeg.Encode(&buf, img, nil)
	case "voice":
		buf.WriteString("#!AMR\n" + strings.Repeat("\x3c", 32))
	case "video":
		buf.WriteString("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + strings.Repeat("\x00", 32))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes()
}

func errcodeOf(err error) int64 {
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return ce.ErrCode
	}
	if err == nil {
		return 0
	}
	if _, rest, ok := strings.Cut(err.Error(), "errcode="); ok {
		n, _ := strconv.ParseInt(strings.TrimSpace(strings.SplitN(rest, " ", 2)[0]), 10, 64)
		return n
	}
	return -1
}

func silenceperOA(t *testing.T, w *msgWorld, app testserver.App) *officialaccount.OfficialAccount {
	t.Helper()
	return silenceper(t, w.s.Transport()).GetOfficialAccount(&offConfig.Config{AppID: app.AppID, AppSecret: app.Secret, Cache: cache.NewMemory()})
}

// silenceper's temporary media: upload from a path and from a reader,
// every type; GetMediaURL's address returns the bytes.
func TestSilenceperTemporaryMedia(t *testing.T) {
	w := newMsgWorld(t)
	dir := t.TempDir()
	mat := silenceperOA(t, w, w.app).GetMaterial()
	for _, typ := range []material.MediaType{material.MediaTypeImage, material.MediaTypeVoice, material.MediaTypeVideo, material.MediaTypeThumb} {
		path, data := mediaFile(t, dir, string(typ))
		media, err := mat.MediaUpload(typ, path)
		if err != nil {
			t.Fatalf("MediaUpload(%s): %v", typ, err)
		}
		id := media.MediaID
		if typ == material.MediaTypeThumb {
			id = media.ThumbMediaID
		}
		if media.Type != typ || id == "" || media.CreatedAt == 0 {
			t.Fatalf("MediaUpload(%s) = %+v", typ, media)
		}
		if typ == material.MediaTypeVideo {
			continue // media/get answers a video with its video_url (see the wire tests)
		}
		u, err := mat.GetMediaURL(id)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{Transport: w.s.Transport()}).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("media/get of the %s returned %d bytes, want the %d uploaded", typ, len(got), len(data))
		}
	}
	_, data := mediaFile(t, dir, "image")
	media, err := mat.MediaUploadFromReader(material.MediaTypeImage, "from-reader.png", bytes.NewReader(data))
	if err != nil || media.MediaID == "" {
		t.Fatalf("MediaUploadFromReader = %+v, %v", media, err)
	}
	if _, err := mat.MediaUploadFromReader(material.MediaTypeImage, "notes.txt", strings.NewReader("text")); errcodeOf(err) != 40005 {
		t.Fatalf("a .txt image: %v, want errcode 40005", err)
	}
	if _, err := mat.MediaUploadFromReader("file", "a.png", bytes.NewReader(data)); errcodeOf(err) != 40004 {
		t.Fatalf("type file: %v, want errcode 40004", err)
	}
}

// Customer-service messages through message.Manager: every constructor the
// SDK offers and every other type as its CustomerMessage struct; each
// arrives in the user's conversation, and the window's rules come back as
// the SDK's errors.
func TestSilenceperCustomerServiceMessages(t *testing.T) {
	w := newMsgWorld(t)
	dir := t.TempDir()
	off := silenceperOA(t, w, w.app)
	alice, openid := w.follower(t, "alice", w.app.AppID)
	upload := func(typ material.MediaType) string {
		path, _ := mediaFile(t, dir, string(typ))
		m, err := off.GetMaterial().MediaUpload(typ, path)
		if err != nil {
			t.Fatal(err)
		}
		if typ == material.MediaTypeThumb {
			return m.ThumbMediaID
		}
		return m.MediaID
	}
	img, voice, video, thumb := upload(material.MediaTypeImage), upload(material.MediaTypeVoice), upload(material.MediaTypeVideo), upload(material.MediaTypeThumb)
	mgr := off.GetCustomerMessageManager()

	msgs := []struct {
		msg  *message.CustomerMessage
		kind string
		ok   func(b oa.Body) bool
	}{
		{message.NewCustomerTextMessage(openid, "Hello from silenceper"), "text", func(b oa.Body) bool { return b.Text == "Hello from silenceper" }},
		{message.NewCustomerImgMessage(openid, img), "image", func(b oa.Body) bool { return b.URL == "/shell/media/"+img }},
		{message.NewCustomerVoiceMessage(openid, voice), "voice", func(b oa.Body) bool { return b.URL == "/shell/media/"+voice }},
		{message.NewCustomerMiniprogrampageMessage(openid, "Our shop", "wx1234567890abcdef", "pages/index", img), "miniprogrampage",
			func(b oa.Body) bool {
				return b.MiniProgram != nil && b.MiniProgram.PagePath == "pages/index" && b.Title == "Our shop"
			}},
		{&message.CustomerMessage{ToUser: openid, Msgtype: message.MsgTypeVideo, Video: &message.MediaVideo{MediaID: video, ThumbMediaID: thumb, Title: "Clip", Description: "d"}},
			"video", func(b oa.Body) bool { return b.URL == "/shell/media/"+video && b.Title == "Clip" }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: message.MsgTypeMusic, Music: &message.MediaMusic{Title: "Song", Musicurl: "http://m.example/a.mp3", Hqmusicurl: "http://m.example/b.mp3", ThumbMediaID: thumb}},
			"music", func(b oa.Body) bool { return b.Title == "Song" && b.MusicURL == "http://m.example/a.mp3" }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: message.MsgTypeNews, News: &message.MediaNews{Articles: []message.MediaArticles{{Title: "Headline", URL: "http://news.example/1"}}}},
			"news", func(b oa.Body) bool { return len(b.Articles) == 1 && b.Articles[0].Title == "Headline" }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: "mpnews", Mpnews: &message.MediaResource{MediaID: "MATERIAL_1"}},
			"mpnews", func(b oa.Body) bool { return strings.Contains(b.Title, "MATERIAL_1") }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: "mpnewsarticle", Mpnewsarticle: &message.MediaArticle{ArticleID: "ARTICLE_1"}},
			"mpnews", func(b oa.Body) bool { return strings.Contains(b.Title, "ARTICLE_1") }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: "msgmenu", Msgmenu: &message.MediaMsgmenu{HeadContent: "Happy?", List: []message.MsgmenuItem{{ID: "1", Content: "Yes"}, {ID: "2", Content: "No"}}}},
			"msgmenu", func(b oa.Body) bool { return b.Menu != nil && len(b.Menu.Items) == 2 }},
		{&message.CustomerMessage{ToUser: openid, Msgtype: "wxcard", Wxcard: &message.MediaWxcard{CardID: "CARD_1"}},
			"news", func(b oa.Body) bool { return strings.Contains(b.Title, "CARD_1") }},
	}
	for i, c := range msgs {
		if i%5 == 0 {
			w.says(t, w.app.AppID, alice)
		}
		if err := mgr.Send(c.msg); err != nil {
			t.Fatalf("Send(%s): %v", c.msg.Msgtype, err)
		}
		if m := w.last(t, w.app.AppID, alice); m.Kind != c.kind || m.Source != oa.SourceCustom || !c.ok(m.Body) {
			t.Fatalf("%s arrived as %s %+v", c.msg.Msgtype, m.Kind, m.Body)
		}
	}
	// 11 messages: the third window has room for 4 more, then 45047.
	for range 4 {
		if err := mgr.Send(message.NewCustomerTextMessage(openid, "more")); err != nil {
			t.Fatal(err)
		}
	}
	if err := mgr.Send(message.NewCustomerTextMessage(openid, "too many")); errcodeOf(err) != 45047 {
		t.Fatalf("sixth message of the window: %v, want errcode 45047", err)
	}
	w.s.Server.P.DB.Exec(context.Background(), "UPDATE oa_followers SET window_opened_at = window_opened_at - 48*3600 WHERE user_id = ?", alice)
	if err := mgr.Send(message.NewCustomerTextMessage(openid, "late")); errcodeOf(err) != 45015 {
		t.Fatalf("after 48 hours: %v, want errcode 45015", err)
	}
	w.says(t, w.app.AppID, alice)
	if err := mgr.Send(message.NewCustomerImgMessage(openid, "not-a-media-id")); errcodeOf(err) != 40007 {
		t.Fatalf("unknown media: %v, want errcode 40007", err)
	}
	if _, err := w.s.Server.P.OA.Unfollow(context.Background(), w.app.AppID, alice); err != nil {
		t.Fatal(err)
	}
	if err := mgr.Send(message.NewCustomerTextMessage(openid, "gone")); errcodeOf(err) != 45015 {
		t.Fatalf("after unfollowing: %v, want errcode 45015", err)
	}
}

// Template messages through message.Template: Add, List, Send, Delete
// (silenceper has no industry calls; the industry is set on the wire).
func TestSilenceperTemplates(t *testing.T) {
	w := newMsgWorld(t)
	off := silenceperOA(t, w, w.app)
	tok, err := off.GetAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	if m := w.s.Post(t, "/cgi-bin/template/api_set_industry?access_token="+tok, `{"industry_id1":"1","industry_id2":"2"}`); testserver.Errcode(m) != 0 {
		t.Fatalf("api_set_industry: %v", m)
	}
	tpl := off.GetTemplate()
	id, err := tpl.Add("TM00015", nil)
	if err != nil || id == "" {
		t.Fatalf("Add = %q, %v", id, err)
	}
	if _, err := tpl.Add("OPENTM200685723", nil); errcodeOf(err) != 45027 {
		t.Fatalf("Add of another industry's template: %v, want errcode 45027", err)
	}
	list, err := tpl.List()
	if err != nil || len(list) != 1 || list[0].TemplateID != id || list[0].Title != "订单支付成功" || list[0].PrimaryIndustry != "IT科技" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	alice, openid := w.follower(t, "alice", w.app.AppID)
	msg := &message.TemplateMessage{ToUser: openid, TemplateID: id, URL: "https://shop.example/o/1", ClientMsgID: "order-1",
		Data: map[string]*message.TemplateDataItem{"first": {Value: "Paid", Color: "#173177"}, "orderMoneySum": {Value: "30.00元"}, "orderProductName": {Value: "Tea"}}}
	msgID, err := tpl.Send(msg)
	if err != nil || msgID == 0 {
		t.Fatalf("Send = %d, %v", msgID, err)
	}
	got := w.last(t, w.app.AppID, alice)
	if got.ID != msgID || got.Kind != "template" || got.Body.Template.URL != "https://shop.example/o/1" || got.Body.Template.Fields[1].Value != "30.00元" ||
		got.Body.Template.Fields[1].Label != "支付金额" || got.Body.Template.MiniProgram != nil {
		t.Fatalf("template arrived as %+v %+v", got, got.Body.Template)
	}
	again, err := tpl.Send(msg)
	if err != nil || again != msgID {
		t.Fatalf("repeated client_msg_id: %d, %v; want %d", again, err, msgID)
	}
	msg.ClientMsgID = ""
	msg.MiniProgram.AppID, msg.MiniProgram.PagePath = "wx1234567890abcdef", "pages/order?id=1"
	if _, err := tpl.Send(msg); err != nil {
		t.Fatal(err)
	}
	if mp := w.last(t, w.app.AppID, alice).Body.Template.MiniProgram; mp == nil || mp.PagePath != "pages/order?id=1" {
		t.Fatalf("mini program jump %+v", mp)
	}
	msg.ToUser = "oNOT_A_FOLLOWER"
	if _, err := tpl.Send(msg); errcodeOf(err) != 40003 {
		t.Fatalf("Send to an unknown OpenID: %v, want errcode 40003", err)
	}
	if err := tpl.Delete(id); err != nil {
		t.Fatal(err)
	}
	if err := tpl.Delete(id); errcodeOf(err) != 40037 {
		t.Fatalf("Delete again: %v, want errcode 40037", err)
	}
	msg.ToUser = openid
	if _, err := tpl.Send(msg); errcodeOf(err) != 40037 {
		t.Fatalf("Send with a deleted template: %v, want errcode 40037", err)
	}
}

// Mass messages through broadcast.Broadcast: to all, by tag, by OpenID
// list, every message kind, preview, status and delete.
func TestSilenceperBroadcast(t *testing.T) {
	w := newMsgWorld(t, func(p *oa.Policy) { p.MassServicePerUserMonth = 100; p.MassChunk = 2 })
	dir := t.TempDir()
	off := silenceperOA(t, w, w.app)
	ctx := context.Background()
	var users, openids []string
	for i := range 5 {
		u, o := w.follower(t, fmt.Sprint("fan", i), w.app.AppID)
		users, openids = append(users, u), append(openids, o)
	}
	tag, err := w.s.Server.P.OA.CreateTag(ctx, w.app.AppID, "vip")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Server.P.OA.TagFollowers(ctx, w.app.AppID, tag.ID, openids[:2]); err != nil {
		t.Fatal(err)
	}
	b := off.GetBroadcast()
	status := func(res *broadcast.Result) *oa.MassJob {
		t.Helper()
		j := w.awaitMass(t, w.app.AppID, res.MsgID)
		st, err := b.GetMassStatus(strconv.FormatInt(res.MsgID, 10))
		if err != nil || st.MsgStatus != "SEND_SUCCESS" || st.MsgID != res.MsgID {
			t.Fatalf("GetMassStatus = %+v, %v", st, err)
		}
		return j
	}

	res, err := b.SendText(nil, "to everyone")
	if err != nil || res.MsgID == 0 || res.MsgDataID == 0 {
		t.Fatalf("SendText to all = %+v, %v", res, err)
	}
	if j := status(res); j.SentCount != 5 {
		t.Fatalf("job %+v", j)
	}
	if got := w.received(t, w.app.AppID, "to everyone", users...); len(got) != 5 {
		t.Fatalf("received %v", got)
	}
	res, err = b.SendText(&broadcast.User{TagID: tag.ID}, "to the tag")
	if err != nil {
		t.Fatal(err)
	}
	status(res)
	if got := w.received(t, w.app.AppID, "to the tag", users...); len(got) != 2 || got[users[0]] != 1 || got[users[1]] != 1 {
		t.Fatalf("tag received %v", got)
	}
	listed := &broadcast.User{OpenID: openids[3:]}
	res, err = b.SendText(listed, "to the list")
	if err != nil {
		t.Fatal(err)
	}
	status(res)
	if got := w.received(t, w.app.AppID, "to the list", users...); len(got) != 2 || got[users[3]] != 1 || got[users[4]] != 1 {
		t.Fatalf("list received %v", got)
	}

	upload := func(typ material.MediaType) string {
		path, _ := mediaFile(t, dir, string(typ))
		m, err := off.GetMaterial().MediaUpload(typ, path)
		if err != nil {
			t.Fatal(err)
		}
		return m.MediaID
	}
	img, voice, video := upload(material.MediaTypeImage), upload(material.MediaTypeVoice), upload(material.MediaTypeVideo)
	kinds := []struct {
		send func() (*broadcast.Result, error)
		kind string
	}{
		{func() (*broadcast.Result, error) {
			return b.SendImage(listed, &broadcast.Image{MediaIDs: []string{img}})
		}, "image"},
		{func() (*broadcast.Result, error) { return b.SendVoice(listed, voice) }, "voice"},
		{func() (*broadcast.Result, error) { return b.SendVideo(listed, video, "Clip", "d") }, "video"},
		{func() (*broadcast.Result, error) { return b.SendNews(listed, "MATERIAL_1", true) }, "mpnews"},
		{func() (*broadcast.Result, error) { return b.SendWxCard(listed, "CARD_1") }, "news"},
	}
	for _, k := range kinds {
		res, err := k.send()
		if err != nil {
			t.Fatalf("%s: %v", k.kind, err)
		}
		status(res)
		if m := w.last(t, w.app.AppID, users[4]); m.Kind != k.kind || m.Source != oa.SourceMass {
			t.Fatalf("%s arrived as %+v", k.kind, m)
		}
	}

	// Preview goes to the first OpenID only, at once. (Preview switches the
	// OfficialAccount's one Broadcast to previews for good: another
	// OfficialAccount previews.)
	res, err = silenceperOA(t, w, w.app).GetBroadcast().Preview().SendText(&broadcast.User{OpenID: openids[2:3]}, "preview")
	if err != nil || res.MsgID == 0 {
		t.Fatalf("preview = %+v, %v", res, err)
	}
	if m := w.last(t, w.app.AppID, users[2]); m.Body.Text != "preview" || m.ID != res.MsgID {
		t.Fatalf("preview arrived as %+v", m)
	}

	res, err = b.SendNews(nil, "MATERIAL_2", false)
	if err != nil {
		t.Fatal(err)
	}
	status(res)
	if err := b.Delete(res.MsgID, 0); err != nil {
		t.Fatal(err)
	}
	if st, err := b.GetMassStatus(strconv.FormatInt(res.MsgID, 10)); err != nil || st.MsgStatus != "DELETE" {
		t.Fatalf("status after Delete = %+v, %v", st, err)
	}
	if err := b.Delete(123456789, 0); errcodeOf(err) != 40097 {
		t.Fatalf("Delete of an unknown msg_id: %v", err)
	}
	if _, err := b.SendText(&broadcast.User{OpenID: openids[:1]}, "one"); errcodeOf(err) != 40130 {
		t.Fatalf("a list of one: %v, want errcode 40130", err)
	}

	// A subscription account sends once a day.
	sub := w.s.CreateApp(t, "subscription", "Blog")
	reader, _ := w.follower(t, "reader", sub.AppID)
	bs := silenceperOA(t, w, sub).GetBroadcast()
	res, err = bs.SendText(nil, "daily")
	if err != nil {
		t.Fatal(err)
	}
	w.awaitMass(t, sub.AppID, res.MsgID)
	if got := w.received(t, sub.AppID, "daily", reader); got[reader] != 1 {
		t.Fatalf("subscription mass %v", got)
	}
	if _, err := bs.SendText(nil, "again"); errcodeOf(err) != 45028 {
		t.Fatalf("second send of the day: %v, want errcode 45028", err)
	}
	if _, err := bs.SendText(&broadcast.User{OpenID: []string{"a", "b"}}, "list"); errcodeOf(err) != 48001 {
		t.Fatalf("OpenID list from a subscription account: %v, want errcode 48001", err)
	}
}
