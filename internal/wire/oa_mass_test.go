package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"superapp/internal/officialaccount"
)

// awaitMass polls mass/get until the job is no longer SENDING.
func (w *pmWorld) awaitMass(t *testing.T, tok string, msgID int64) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		m := w.post(t, "/cgi-bin/message/mass/get", tok, `{"msg_id":"`+strconv.FormatInt(msgID, 10)+`"}`)
		pmCode(t, "mass/get", m, 0)
		if int64(m["msg_id"].(float64)) != msgID {
			t.Fatalf("mass/get answered %v", m)
		}
		if st := m["msg_status"].(string); st != "SENDING" {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("mass %d still SENDING", msgID)
	return ""
}

// massJob submits a mass message and returns its msg_id.
func (w *pmWorld) massJob(t *testing.T, path, tok, body string) int64 {
	t.Helper()
	m := w.post(t, path, tok, body)
	pmCode(t, path, m, 0)
	if m["errmsg"] != "send job submission success" || m["msg_data_id"] == nil {
		t.Fatalf("%s answered %v", path, m)
	}
	return int64(m["msg_id"].(float64))
}

// copies counts each user's copies of message kind text with content.
func (w *pmWorld) copies(t *testing.T, appid, text string, users ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, u := range users {
		for _, m := range w.conversation(t, u, appid) {
			if m.Source == officialaccount.SourceMass && m.Body.Text == text {
				out[u]++
			}
		}
	}
	return out
}

func (w *pmWorld) job(t *testing.T, appid string, msgID int64) *officialaccount.MassJob {
	t.Helper()
	j, err := w.s.Server.P.OA.MassJob(context.Background(), appid, msgID)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func massText(filter, text string) string {
	return `{"filter":` + filter + `,"msgtype":"text","text":{"content":"` + text + `"}}`
}

func TestMassSendToAllAndByTag(t *testing.T) {
	// Chunks of 2 followers: the fan-out takes several transactions.
	w := newPMWorld(t, func(p *officialaccount.Policy) { p.MassChunk = 2 })
	ctx := context.Background()
	oa := w.s.Server.P.OA
	dev := w.devServer(t, w.oa.AppID)
	var users, openids []string
	for i := range 7 {
		u, o := w.user(t, fmt.Sprintf("fan%d", i), w.oa.AppID)
		users, openids = append(users, u), append(openids, o)
	}
	gone, _ := w.user(t, "gone", w.oa.AppID)
	if _, err := oa.Unfollow(ctx, w.oa.AppID, gone); err != nil {
		t.Fatal(err)
	}
	if err := oa.SetBlacklisted(ctx, w.oa.AppID, openids[6:], true); err != nil {
		t.Fatal(err)
	}
	never, _ := w.user(t, "never")

	id := w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":true}`, "to everyone"))
	if st := w.awaitMass(t, w.tok, id); st != "SEND_SUCCESS" {
		t.Fatalf("status %s", st)
	}
	got := w.copies(t, w.oa.AppID, "to everyone", append(users, gone, never)...)
	for i, u := range users {
		if want := map[bool]int{true: 0, false: 1}[i == 6]; got[u] != want {
			t.Fatalf("follower %d has %d copies, want %d", i, got[u], want)
		}
	}
	if got[gone] != 0 || got[never] != 0 {
		t.Fatalf("copies outside the audience: %v", got)
	}
	j := w.job(t, w.oa.AppID, id)
	if j.TotalCount != 6 || j.FilterCount != 6 || j.SentCount != 6 || j.ErrorCount != 0 {
		t.Fatalf("job counts %+v", j)
	}
	push := dev.await(t, "MASSSENDJOBFINISH", id)
	if push.Status != "send success" || push.TotalCount != 6 || push.FilterCount != 6 || push.SentCount != 6 || push.ErrorCount != 0 ||
		push.ToUserName == "" || push.FromUserName != push.ToUserName {
		t.Fatalf("MASSSENDJOBFINISH %+v", push)
	}

	// By tag: only the tag's reachable followers.
	tag, err := oa.CreateTag(ctx, w.oa.AppID, "vip")
	if err != nil {
		t.Fatal(err)
	}
	if err := oa.TagFollowers(ctx, w.oa.AppID, tag.ID, []string{openids[1], openids[3], openids[6]}); err != nil {
		t.Fatal(err)
	}
	id2 := w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":false,"tag_id":"`+strconv.FormatInt(tag.ID, 10)+`"}`, "to vips"))
	w.awaitMass(t, w.tok, id2)
	got = w.copies(t, w.oa.AppID, "to vips", users...)
	if len(got) != 2 || got[users[1]] != 1 || got[users[3]] != 1 {
		t.Fatalf("tag copies %v", got)
	}
	if push := dev.await(t, "MASSSENDJOBFINISH", id2); push.TotalCount != 2 || push.SentCount != 2 || push.CreateTime <= dev.await(t, "MASSSENDJOBFINISH", id).CreateTime {
		t.Fatalf("second report %+v (its CreateTime must follow the first's: events are deduplicated by FromUserName+CreateTime)", push)
	}
	pmCode(t, "unknown tag", w.post(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":false,"tag_id":999}`, "x")), 45159)
	pmCode(t, "no filter", w.post(t, "/cgi-bin/message/mass/sendall", w.tok, `{"msgtype":"text","text":{"content":"x"}}`), 40097)
	pmCode(t, "wrong msgtype", w.post(t, "/cgi-bin/message/mass/sendall", w.tok, `{"filter":{"is_to_all":true},"msgtype":"music","music":{}}`), 40008)

	// Another account cannot read the job.
	pmCode(t, "another account's msg_id", w.post(t, "/cgi-bin/message/mass/get", w.tok2, `{"msg_id":`+strconv.FormatInt(id, 10)+`}`), 40097)
}

func TestMassSendByOpenIDsPreviewAndDelete(t *testing.T) {
	w := newPMWorld(t)
	var users, openids []string
	for i := range 4 {
		u, o := w.user(t, fmt.Sprintf("fan%d", i), w.oa.AppID)
		users, openids = append(users, u), append(openids, o)
	}
	list, _ := json.Marshal([]string{openids[0], openids[2], openids[2]})
	id := w.massJob(t, "/cgi-bin/message/mass/send", w.tok, `{"touser":`+string(list)+`,"msgtype":"text","text":{"content":"listed"},"clientmsgid":"c-1"}`)
	w.awaitMass(t, w.tok, id)
	if got := w.copies(t, w.oa.AppID, "listed", users...); len(got) != 2 || got[users[0]] != 1 || got[users[2]] != 1 {
		t.Fatalf("openid-list copies %v", got)
	}
	if j := w.job(t, w.oa.AppID, id); j.TotalCount != 2 || j.SentCount != 2 {
		t.Fatalf("job %+v", j)
	}
	m := w.post(t, "/cgi-bin/message/mass/send", w.tok, `{"touser":`+string(list)+`,"msgtype":"text","text":{"content":"again"},"clientmsgid":"c-1"}`)
	if pmCode(t, "repeated clientmsgid", m, 45065); int64(m["msg_id"].(float64)) != id {
		t.Fatalf("45065 answered %v, want msg_id %d", m, id)
	}
	pmCode(t, "one openid", w.post(t, "/cgi-bin/message/mass/send", w.tok, `{"touser":["`+openids[0]+`"],"msgtype":"text","text":{"content":"x"}}`), 40130)
	pmCode(t, "no touser", w.post(t, "/cgi-bin/message/mass/send", w.tok, `{"msgtype":"text","text":{"content":"x"}}`), 40130)
	pmCode(t, "unknown openid", w.post(t, "/cgi-bin/message/mass/send", w.tok, `{"touser":["`+openids[0]+`","oNOBODY"],"msgtype":"text","text":{"content":"x"}}`), 40003)
	pmCode(t, "clientmsgid over 64 bytes", w.post(t, "/cgi-bin/message/mass/send", w.tok,
		`{"touser":`+string(list)+`,"msgtype":"text","text":{"content":"x"},"clientmsgid":"`+strings.Repeat("c", 65)+`"}`), 45067)

	// Preview: one follower, at once.
	image := w.mediaID(t, w.tok, "image")
	m = w.post(t, "/cgi-bin/message/mass/preview", w.tok, `{"touser":"`+openids[3]+`","msgtype":"image","image":{"media_id":"`+image+`"}}`)
	pmCode(t, "preview", m, 0)
	if m["errmsg"] != "preview success" {
		t.Fatalf("preview answered %v", m)
	}
	if last := w.lastMessage(t, users[3], w.oa.AppID); last.Kind != "image" || last.Body.URL != "/shell/media/"+image || int64(m["msg_id"].(float64)) != last.ID {
		t.Fatalf("preview delivered %+v", last)
	}
	// PowerWeChat's PreviewMessage wraps touser in an object.
	m = w.post(t, "/cgi-bin/message/mass/preview", w.tok, `{"touser":{"touser":["`+openids[1]+`"],"filter":null},"msgtype":"text","text":{"content":"preview"}}`)
	pmCode(t, "preview with touser as PowerWeChat sends it", m, 0)
	if last := w.lastMessage(t, users[1], w.oa.AppID); last.Body.Text != "preview" {
		t.Fatalf("preview delivered %+v", last)
	}
	pmCode(t, "preview to a WeChat id", w.post(t, "/cgi-bin/message/mass/preview", w.tok, `{"towxname":"someone","msgtype":"text","text":{"content":"x"}}`), 40132)

	// Delete: a sent mpnews stops opening but stays in the conversations.
	id = w.massJob(t, "/cgi-bin/message/mass/send", w.tok, `{"touser":`+string(list)+`,"msgtype":"mpnews","mpnews":{"media_id":"ARTICLE"}}`)
	w.awaitMass(t, w.tok, id)
	pmCode(t, "delete", w.post(t, "/cgi-bin/message/mass/delete", w.tok, `{"msg_id":`+strconv.FormatInt(id, 10)+`,"article_idx":0}`), 0)
	if st := w.awaitMass(t, w.tok, id); st != "DELETE" {
		t.Fatalf("status after delete %s", st)
	}
	last := w.lastMessage(t, users[0], w.oa.AppID)
	if last.Kind != "mpnews" || !strings.Contains(last.Body.Description, "deleted") {
		t.Fatalf("deleted article shows %+v", last.Body)
	}
	pmCode(t, "delete an unknown msg_id", w.post(t, "/cgi-bin/message/mass/delete", w.tok, `{"msg_id":123456789}`), 40097)
}

func TestMassQuotas(t *testing.T) {
	w := newPMWorld(t, func(p *officialaccount.Policy) { p.MassServicePerUserMonth = 2 })
	ctx := context.Background()
	oa := w.s.Server.P.OA

	// A subscription account sends once a day.
	sub1, _ := w.user(t, "reader", w.sub.AppID)
	id := w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok2, massText(`{"is_to_all":true}`, "daily"))
	w.awaitMass(t, w.tok2, id)
	pmCode(t, "second send today", w.post(t, "/cgi-bin/message/mass/sendall", w.tok2, massText(`{"is_to_all":true}`, "again")), 45028)
	if got := w.copies(t, w.sub.AppID, "daily", sub1); got[sub1] != 1 {
		t.Fatalf("copies %v", got)
	}
	// The next day (Beijing time) it may send again.
	w.exec(t, "UPDATE oa_mass_jobs SET created_at = created_at - 86400 WHERE appid = ?", w.sub.AppID)
	w.awaitMass(t, w.tok2, w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok2, massText(`{"is_to_all":true}`, "next day")))

	// Each follower of a service account receives at most 2 (the policy)
	// mass messages a month; the others are filtered.
	dev := w.devServer(t, w.oa.AppID)
	var users, openids []string
	for i := range 5 {
		u, o := w.user(t, fmt.Sprintf("fan%d", i), w.oa.AppID)
		users, openids = append(users, u), append(openids, o)
	}
	tag, err := oa.CreateTag(ctx, w.oa.AppID, "early")
	if err != nil {
		t.Fatal(err)
	}
	if err := oa.TagFollowers(ctx, w.oa.AppID, tag.ID, openids[:2]); err != nil {
		t.Fatal(err)
	}
	w.awaitMass(t, w.tok, w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":true}`, "first")))
	w.awaitMass(t, w.tok, w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":false,"tag_id":`+strconv.FormatInt(tag.ID, 10)+`}`, "second")))
	id = w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":true}`, "third"))
	w.awaitMass(t, w.tok, id)
	got := w.copies(t, w.oa.AppID, "third", users...)
	if len(got) != 3 || got[users[0]] != 0 || got[users[1]] != 0 {
		t.Fatalf("third copies %v: the two tagged followers had their 2 this month", got)
	}
	push := dev.await(t, "MASSSENDJOBFINISH", id)
	if push.TotalCount != 5 || push.FilterCount != 3 || push.SentCount != 3 || push.ErrorCount != 0 {
		t.Fatalf("MASSSENDJOBFINISH %+v, want TotalCount 5, FilterCount (after the filter) 3, SentCount 3", push)
	}
	// Messages of last month do not count.
	w.exec(t, "UPDATE oa_mass_jobs SET created_at = created_at - 32*86400 WHERE appid = ?", w.oa.AppID)
	id = w.massJob(t, "/cgi-bin/message/mass/sendall", w.tok, massText(`{"is_to_all":true}`, "new month"))
	w.awaitMass(t, w.tok, id)
	if got := w.copies(t, w.oa.AppID, "new month", users...); len(got) != 5 {
		t.Fatalf("new month copies %v", got)
	}
}
