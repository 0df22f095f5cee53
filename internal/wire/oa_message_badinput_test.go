package wire_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

const (
	famOAMessages = "official accounts: customer-service, template and mass messages, media"
	noteClosest   = "WeChat's answer is undocumented; closest documented code"
)

// pmFollows makes alice follow the service account ({aliceoa}) with an
// open customer-service window of the user-message kind, restored after the
// case; bob followed and left ({boboa}).
func pmFollows(t *testing.T, f *fixture, vars map[string]string) {
	ctx := context.Background()
	oa := f.s.Server.P.OA
	for _, u := range []string{"alice", "bob"} {
		if _, err := oa.Follow(ctx, f.oa.AppID, f.vars[u], "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := oa.Unfollow(ctx, f.oa.AppID, f.vars["bob"]); err != nil {
		t.Fatal(err)
	}
	vars["aliceoa"] = f.s.Server.P.Identity.OpenID(f.oa.AppID, f.vars["alice"])
	vars["boboa"] = f.s.Server.P.Identity.OpenID(f.oa.AppID, f.vars["bob"])
	pmWindow("message", time.Now().Unix(), 0)(t, f, vars)
}

// pmWindow sets alice's customer-service window for the case.
func pmWindow(kind string, opened int64, sent int) func(*testing.T, *fixture, map[string]string) {
	return func(t *testing.T, f *fixture, vars map[string]string) {
		set := func(kind string, opened int64, sent int) {
			if _, err := f.s.Server.P.DB.Exec(context.Background(), "UPDATE oa_followers SET window_kind = ?, window_opened_at = ?, window_sent = ? WHERE appid = ? AND user_id = ?",
				kind, opened, sent, f.oa.AppID, f.vars["alice"]); err != nil {
				t.Fatal(err)
			}
		}
		set(kind, opened, sent)
		t.Cleanup(func() { set("message", time.Now().Unix(), 0) })
	}
}

// pmIndustry sets the service account's template industries and adds
// template OPENTM200565259 ({tpl}).
func pmIndustry(t *testing.T, f *fixture, vars map[string]string) {
	pmFollows(t, f, vars)
	ctx := context.Background()
	if err := f.s.Server.P.OA.SetIndustry(ctx, f.oa.AppID, 1, 13); err != nil {
		t.Fatal(err)
	}
	id, err := f.s.Server.P.OA.AddTemplate(ctx, f.oa.AppID, "OPENTM200565259")
	if err != nil {
		t.Fatal(err)
	}
	vars["tpl"] = id
}

// pmNoIndustry removes the service account's industries for the case.
func pmNoIndustry(t *testing.T, f *fixture, vars map[string]string) {
	if _, err := f.s.Server.P.DB.Exec(context.Background(), "DELETE FROM oa_template_industries WHERE appid = ?", f.oa.AppID); err != nil {
		t.Fatal(err)
	}
}

// pmMassJob submits a mass message of the service account ({msgid}).
func pmMassJob(t *testing.T, f *fixture, vars map[string]string) {
	pmFollows(t, f, vars)
	job, err := f.s.Server.P.OA.SubmitMass(context.Background(), f.oa.AppID, officialaccount.MassSend{ToAll: true, Message: officialaccount.Outgoing{Kind: "text", Text: "case"}})
	if err != nil {
		t.Fatal(err)
	}
	vars["msgid"] = strconv.FormatInt(job.MsgID, 10)
	// The fan-out is done before the case's state snapshot.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		j, err := f.s.Server.P.OA.MassJob(context.Background(), f.oa.AppID, job.MsgID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != officialaccount.MassSending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the mass job is still sending")
		}
	}
}

// pmSubscriptionSentToday records a mass send of the subscription account
// today, using up its daily quota for the case.
func pmSubscriptionSentToday(t *testing.T, f *fixture, vars map[string]string) {
	ctx := context.Background()
	if _, err := f.s.Server.P.DB.Exec(ctx, "INSERT INTO oa_mass_jobs(appid, message_id, audience, status, created_at) VALUES (?, 0, 'all', 'SEND_SUCCESS', ?)",
		f.vars["oa2"], time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.s.Server.P.DB.Exec(ctx, "DELETE FROM oa_mass_jobs WHERE appid = ?", f.vars["oa2"]) })
}

const (
	customP     = "/cgi-bin/message/custom/send?access_token={oatok}"
	typingP     = "/cgi-bin/message/custom/typing?access_token={oatok}"
	tplSendP    = "/cgi-bin/message/template/send?access_token={oatok}"
	sendallP    = "/cgi-bin/message/mass/sendall?access_token={oatok}"
	massSendP   = "/cgi-bin/message/mass/send?access_token={oatok}"
	previewP    = "/cgi-bin/message/mass/preview?access_token={oatok}"
	uploadP     = "/cgi-bin/media/upload?access_token={oatok}"
	multipartCT = "multipart/form-data; boundary=XyZ"
)

func pmMultipart(field, filename, content string) string {
	return "--XyZ\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
		content + "\r\n--XyZ--\r\n"
}

// oaMessageCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaMessageCases = []badCase{
	// POST /cgi-bin/message/custom/send
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "GET", target: customP, want: 43002, prefix: "require POST method"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "body is not JSON", method: "POST", target: customP, body: `{"touser":`, want: 47001, prefix: "data format error"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "msgtype missing", method: "POST", target: customP, body: `{"touser":"{aliceoa}","text":{"content":"hi"}}`, setup: pmFollows, want: 40008, prefix: "invalid message type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "msgtype link (not a customer-service type)", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"link","link":{}}`, setup: pmFollows, want: 40008, prefix: "invalid message type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "unknown touser", method: "POST", target: customP, body: `{"touser":"oUNKNOWN","msgtype":"text","text":{"content":"hi"}}`, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "touser missing", method: "POST", target: customP, body: `{"msgtype":"text","text":{"content":"hi"}}`, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "OpenID of the user in another app", method: "POST", target: customP, body: `{"touser":"{openid}","msgtype":"text","text":{"content":"hi"}}`, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "empty text", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":""}}`, setup: pmFollows, want: 44004, prefix: "empty content"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "text over 2048 bytes", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"` + strings.Repeat("长", 683) + `"}}`, setup: pmFollows, want: 45002, prefix: "content size out of limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "text with a NUL character", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"a\u0000b"}}`, setup: pmFollows, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "image media_id unknown", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"image","image":{"media_id":"nope"}}`, setup: pmFollows, want: 40007, prefix: "invalid media_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "image without media_id", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"image","image":{}}`, setup: pmFollows, want: 41006, prefix: "media_id missing"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "news with two articles", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"news","news":{"articles":[{"title":"a"},{"title":"b"}]}}`, setup: pmFollows, want: 45008, prefix: "article size out of limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "news without articles", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"news","news":{"articles":[]}}`, setup: pmFollows, want: 44003, prefix: "empty news data"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "miniprogrampage without pagepath", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"miniprogrampage","miniprogrampage":{"appid":"{mp}"}}`, setup: pmFollows, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "48 hours after the user's message", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"hi"}}`, setup: both(pmFollows, pmWindow("message", time.Now().Unix()-48*3600, 0)), want: 45015, prefix: "response out of time limit or subscription is canceled"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "a minute after the user's click", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"hi"}}`, setup: both(pmFollows, pmWindow("event", time.Now().Unix()-60, 0)), want: 45015, prefix: "response out of time limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "sixth message after the user's message", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"hi"}}`, setup: both(pmFollows, pmWindow("message", time.Now().Unix(), 5)), want: 45047, prefix: "out of response count limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "fourth message after the user's click", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"hi"}}`, setup: both(pmFollows, pmWindow("event", time.Now().Unix(), 3)), want: 45047, prefix: "out of response count limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "user who unfollowed", method: "POST", target: customP, body: `{"touser":"{boboa}","msgtype":"text","text":{"content":"hi"}}`, setup: pmFollows, want: 45015, prefix: "response out of time limit or subscription is canceled"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "mini program token", method: "POST", target: "/cgi-bin/message/custom/send?access_token={mptok}", body: `{"touser":"{openid}","msgtype":"text","text":{"content":"hi"}}`, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/send", input: "msgmenu id as a number, customservice given", method: "POST", target: customP, body: `{"touser":"{aliceoa}","msgtype":"msgmenu","msgmenu":{"list":[{"id":101,"content":"Yes"}]},"customservice":{"kf_account":"kf@x"}}`, setup: pmFollows, want: 0, note: "accepted; there are no staff accounts, customservice is ignored"},

	// POST /cgi-bin/message/custom/typing
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/typing", input: "command missing", method: "POST", target: typingP, body: `{"touser":"{aliceoa}"}`, setup: pmFollows, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/typing", input: "unknown touser", method: "POST", target: typingP, body: `{"touser":"oUNKNOWN","command":"Typing"}`, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/typing", input: "outside the window", method: "POST", target: typingP, body: `{"touser":"{aliceoa}","command":"Typing"}`, setup: both(pmFollows, pmWindow("", 0, 0)), want: 45015, prefix: "response out of time limit"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/custom/typing", input: "GET", target: typingP, want: 43002, prefix: "require POST method"},

	// Template management.
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_set_industry", input: "industry id 0", method: "POST", target: "/cgi-bin/template/api_set_industry?access_token={oatok}", body: `{"industry_id1":"0","industry_id2":"2"}`, want: 40102, prefix: "invalid industry id", note: noteOurs},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_set_industry", input: "industry ids missing", method: "POST", target: "/cgi-bin/template/api_set_industry?access_token={oatok}", body: `{}`, want: 40102, prefix: "invalid industry id", note: noteOurs},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_set_industry", input: "industry id not a number", method: "POST", target: "/cgi-bin/template/api_set_industry?access_token={oatok}", body: `{"industry_id1":"it","industry_id2":"2"}`, want: 47001, prefix: "data format error"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_set_industry", input: "subscription account", method: "POST", target: "/cgi-bin/template/api_set_industry?access_token={oa2tok}", body: `{"industry_id1":"1","industry_id2":"2"}`, setup: pmSubscriptionToken, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_industry", input: "access_token missing", target: "/cgi-bin/template/get_industry", want: 41001, prefix: "access_token missing"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_industry", input: "subscription account", target: "/cgi-bin/template/get_industry?access_token={oa2tok}", setup: pmSubscriptionToken, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_industry", input: "mini program token", target: "/cgi-bin/template/get_industry?access_token={mptok}", want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_add_template", input: "short id not in the library", method: "POST", target: "/cgi-bin/template/api_add_template?access_token={oatok}", body: `{"template_id_short":"TM99999"}`, want: 40037, prefix: "invalid template_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_add_template", input: "before the industry is set", method: "POST", target: "/cgi-bin/template/api_add_template?access_token={oatok}", body: `{"template_id_short":"TM00015"}`, setup: pmNoIndustry, want: 45027, prefix: "template conflict with industry", note: noteOurs},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/api_add_template", input: "template of an industry the account did not choose", method: "POST", target: "/cgi-bin/template/api_add_template?access_token={oatok}", body: `{"template_id_short":"OPENTM207103254"}`, setup: pmIndustry, want: 45027, prefix: "template conflict with industry", note: noteOurs},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_all_private_template", input: "subscription account", target: "/cgi-bin/template/get_all_private_template?access_token={oa2tok}", setup: pmSubscriptionToken, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_all_private_template", input: "garbage access_token", target: "/cgi-bin/template/get_all_private_template?access_token=garbage", want: 40001, prefix: "invalid credential"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/template/get_all_private_template", input: "POST with a body (PowerWeChat)", method: "POST", target: "/cgi-bin/template/get_all_private_template?access_token={oatok}", body: `null`, want: 0, note: "accepted"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/del_private_template", input: "unknown template_id", method: "POST", target: "/cgi-bin/template/del_private_template?access_token={oatok}", body: `{"template_id":"nope"}`, want: 40037, prefix: "invalid template_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/del_private_template", input: "empty body", method: "POST", target: "/cgi-bin/template/del_private_template?access_token={oatok}", want: 40037, prefix: "invalid template_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/template/del_private_template", input: "GET", target: "/cgi-bin/template/del_private_template?access_token={oatok}&template_id=x", want: 43002, prefix: "require POST method"},

	// POST /cgi-bin/message/template/send
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "unknown template_id", method: "POST", target: tplSendP, body: `{"touser":"{aliceoa}","template_id":"nope","data":{}}`, setup: pmIndustry, want: 40037, prefix: "invalid template_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "user who unfollowed", method: "POST", target: tplSendP, body: `{"touser":"{boboa}","template_id":"{tpl}","data":{}}`, setup: pmIndustry, want: 43004, prefix: "require subscribe"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "touser missing", method: "POST", target: tplSendP, body: `{"template_id":"{tpl}","data":{}}`, setup: pmIndustry, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "url javascript:", method: "POST", target: tplSendP, body: `{"touser":"{aliceoa}","template_id":"{tpl}","url":"javascript:alert(1)","data":{}}`, setup: pmIndustry, want: 40066, prefix: "invalid url"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "data is a list", method: "POST", target: tplSendP, body: `{"touser":"{aliceoa}","template_id":"{tpl}","data":[]}`, setup: pmIndustry, want: 47001, prefix: "data format error"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "client_msg_id over 64 bytes", method: "POST", target: tplSendP, body: `{"touser":"{aliceoa}","template_id":"{tpl}","client_msg_id":"` + strings.Repeat("c", 65) + `","data":{}}`, setup: pmIndustry, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "subscription account", method: "POST", target: "/cgi-bin/message/template/send?access_token={oa2tok}", body: `{"touser":"x","template_id":"y","data":{}}`, setup: pmSubscriptionToken, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/template/send", input: "empty miniprogram object and numeric value (silenceper, PowerWeChat)", method: "POST", target: tplSendP, body: `{"touser":"{aliceoa}","template_id":"{tpl}","miniprogram":{"appid":"","pagepath":""},"data":{"keyword1":{"value":42}}}`, setup: pmIndustry, want: 0, note: "accepted"},

	// Mass sends.
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "filter missing", method: "POST", target: sendallP, body: `{"msgtype":"text","text":{"content":"hi"}}`, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "msgtype news (not a mass type)", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":true},"msgtype":"news","news":{}}`, want: 40008, prefix: "invalid message type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "tag that does not exist", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":false,"tag_id":424242},"msgtype":"text","text":{"content":"hi"}}`, want: 45159, prefix: "invalid tag id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "not to all, no tag", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":false},"msgtype":"text","text":{"content":"hi"}}`, want: 45159, prefix: "invalid tag id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "empty text", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":true},"msgtype":"text","text":{}}`, want: 44004, prefix: "empty content"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "clientmsgid over 64 bytes", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":true},"msgtype":"text","text":{"content":"hi"},"clientmsgid":"` + strings.Repeat("c", 65) + `"}`, want: 45067, prefix: "clientmsgid size out of limit", note: noteOurs},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "subscription account's second send today", method: "POST", target: "/cgi-bin/message/mass/sendall?access_token={oa2tok}", body: `{"filter":{"is_to_all":true},"msgtype":"text","text":{"content":"hi"}}`, setup: both(pmSubscriptionToken, pmSubscriptionSentToday), want: 45028, prefix: "has no masssend quota"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/sendall", input: "unknown image media_id", method: "POST", target: sendallP, body: `{"filter":{"is_to_all":true},"msgtype":"image","images":{"media_ids":["nope"]}}`, want: 40007, prefix: "invalid media_id"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/send", input: "one openid", method: "POST", target: massSendP, body: `{"touser":["{aliceoa}"],"msgtype":"text","text":{"content":"hi"}}`, setup: pmFollows, want: 40130, prefix: "invalid openid list size, at least two openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/send", input: "an openid of another app", method: "POST", target: massSendP, body: `{"touser":["{aliceoa}","{openid}"],"msgtype":"text","text":{"content":"hi"}}`, setup: pmFollows, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/send", input: "touser a string", method: "POST", target: massSendP, body: `{"touser":"{aliceoa}","msgtype":"text","text":{"content":"hi"}}`, setup: pmFollows, want: 47001, prefix: "data format error"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/send", input: "subscription account", method: "POST", target: "/cgi-bin/message/mass/send?access_token={oa2tok}", body: `{"touser":["a","b"],"msgtype":"text","text":{"content":"hi"}}`, setup: pmSubscriptionToken, want: 48001, prefix: "api unauthorized"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/preview", input: "towxname", method: "POST", target: previewP, body: `{"towxname":"alice_wx","msgtype":"text","text":{"content":"hi"}}`, want: 40132, prefix: "invalid username", note: "our choice: superapp users have no WeChat ids"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/preview", input: "unknown touser", method: "POST", target: previewP, body: `{"touser":"oUNKNOWN","msgtype":"text","text":{"content":"hi"}}`, want: 40003, prefix: "invalid openid"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/preview", input: "user who unfollowed", method: "POST", target: previewP, body: `{"touser":"{boboa}","msgtype":"text","text":{"content":"hi"}}`, setup: pmFollows, want: 43004, prefix: "require subscribe"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/get", input: "unknown msg_id", method: "POST", target: "/cgi-bin/message/mass/get?access_token={oatok}", body: `{"msg_id":99999999}`, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/get", input: "msg_id not a number", method: "POST", target: "/cgi-bin/message/mass/get?access_token={oatok}", body: `{"msg_id":"abc"}`, want: 47001, prefix: "data format error"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/get", input: "msg_id of another account", method: "POST", target: "/cgi-bin/message/mass/get?access_token={oa2tok}", body: `{"msg_id":"{msgid}"}`, setup: both(pmMassJob, pmSubscriptionToken), want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/get", input: "msg_id as a string (silenceper, PowerWeChat)", method: "POST", target: "/cgi-bin/message/mass/get?access_token={oatok}", body: `{"msg_id":"{msgid}"}`, setup: pmMassJob, want: 0, note: "accepted"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/delete", input: "unknown msg_id", method: "POST", target: "/cgi-bin/message/mass/delete?access_token={oatok}", body: `{"msg_id":99999999,"article_idx":0}`, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/delete", input: "article_idx -1", method: "POST", target: "/cgi-bin/message/mass/delete?access_token={oatok}", body: `{"msg_id":1,"article_idx":-1}`, want: 40097, prefix: "invalid args", note: noteClosest},
	{family: famOAMessages, endpoint: "POST /cgi-bin/message/mass/delete", input: "GET", target: "/cgi-bin/message/mass/delete?access_token={oatok}", want: 43002, prefix: "require POST method"},

	// Temporary media.
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "type missing", method: "POST", target: uploadP, body: pmMultipart("media", "a.png", "x"), ctype: multipartCT, want: 40004, prefix: "invalid media type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "type=file", method: "POST", target: uploadP + "&type=file", body: pmMultipart("media", "a.png", "x"), ctype: multipartCT, want: 40004, prefix: "invalid media type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "an .exe as an image", method: "POST", target: uploadP + "&type=image", body: pmMultipart("media", "a.exe", "MZ"), ctype: multipartCT, want: 40005, prefix: "invalid file type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "a script named .png", method: "POST", target: uploadP + "&type=image", body: pmMultipart("media", "a.png", "<script>alert(1)</script>"), ctype: multipartCT, want: 40005, prefix: "invalid file type"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "a thumb over 64 KB", method: "POST", target: uploadP + "&type=thumb", body: pmMultipart("media", "a.jpg", strings.Repeat("x", 64<<10+1)), ctype: multipartCT, want: 40006, prefix: "invalid media size"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "file in field \"file\" instead of \"media\"", method: "POST", target: uploadP + "&type=image", body: pmMultipart("file", "a.png", "x"), ctype: multipartCT, want: 41005, prefix: "media data missing"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "JSON body", method: "POST", target: uploadP + "&type=image", body: `{"media":"x"}`, want: 41005, prefix: "media data missing"},
	{family: famOAMessages, endpoint: "POST /cgi-bin/media/upload", input: "GET", target: uploadP + "&type=image", want: 43002, prefix: "require POST method"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/media/get", input: "unknown media_id", target: "/cgi-bin/media/get?access_token={oatok}&media_id=nope", want: 40007, prefix: "invalid media_id"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/media/get", input: "media_id missing", target: "/cgi-bin/media/get?access_token={oatok}", want: 41006, prefix: "media_id missing"},
	{family: famOAMessages, endpoint: "GET /cgi-bin/media/get", input: "mini program token", target: "/cgi-bin/media/get?access_token={mptok}&media_id=x", want: 48001, prefix: "api unauthorized"},
}

// pmSubscriptionToken fetches a token of the subscription account ({oa2tok}).
func pmSubscriptionToken(t *testing.T, f *fixture, vars map[string]string) {
	if f.vars["oa2tok"] == "" {
		f.vars["oa2tok"] = f.s.AccessToken(t, testserver.App{AppID: f.vars["oa2"], Secret: f.vars["oa2secret"]})
	}
}
