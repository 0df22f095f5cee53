package subscribemsg_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/live"
	"superapp/internal/store/storetest"
	"superapp/internal/subscribemsg"
)

type fixture struct {
	svc        *subscribemsg.Service
	ident      *identity.Service
	hub        *live.Hub
	app, other string
	user       *identity.User
	openid     string
}

func setup(t *testing.T, pages subscribemsg.Pages) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	accts := account.NewService(db, account.DefaultPolicy())
	a, _, err := accts.CreateApp(ctx, account.MiniProgram, "Coffee", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := accts.CreateApp(ctx, account.MiniProgram, "Tea", "")
	ident, _ := identity.NewService(ctx, db)
	u, _ := ident.CreateUser(ctx, identity.NewUser{Name: "alice"})
	openid, _ := ident.Enroll(ctx, a.AppID, u.ID)
	hub := live.NewHub()
	return &fixture{svc: subscribemsg.NewService(db, ident, hub, pages, subscribemsg.DefaultPolicy()), ident: ident, hub: hub,
		app: a.AppID, other: b.AppID, user: u, openid: openid}
}

// paid is a "付款成功通知" with order number, amount and time.
func (f *fixture) paid(t *testing.T) *subscribemsg.Template {
	t.Helper()
	tm, err := f.svc.AddTemplate(context.Background(), f.app, 99, []int64{1, 2, 4}, "下单后通知")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func paidData() map[string]string {
	return map[string]string{"character_string1": "20191104123456", "amount2": "¥100.00", "time4": "2019-11-04 12:00"}
}

func TestTemplatesAddListDelete(t *testing.T) {
	ctx := context.Background()
	f := setup(t, nil)
	tm := f.paid(t)
	if len(tm.PriTmplID) != 43 || tm.Title != "付款成功通知" || tm.Type != 2 {
		t.Fatalf("template %+v", tm)
	}
	if want := "订单编号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}\n支付时间:{{time4.DATA}}\n"; tm.Content() != want {
		t.Fatalf("content %q, want %q", tm.Content(), want)
	}
	for _, c := range []struct {
		tid   int64
		kids  []int64
		scene string
		want  error
	}{
		{12345, []int64{1, 2}, "", subscribemsg.ErrTID},
		{99, []int64{1}, "", subscribemsg.ErrKidList},
		{99, []int64{1, 2, 3, 4, 5, 6}, "", subscribemsg.ErrKidList},
		{99, []int64{1, 1}, "", subscribemsg.ErrKidList},
		{99, []int64{1, 9}, "", subscribemsg.ErrKidList},
		{99, []int64{1, 2}, strings.Repeat("长", 16), subscribemsg.ErrSceneDesc},
	} {
		if _, err := f.svc.AddTemplate(ctx, f.app, c.tid, c.kids, c.scene); !errors.Is(err, c.want) {
			t.Errorf("AddTemplate(%d, %v, %q) = %v, want %v", c.tid, c.kids, c.scene, err, c.want)
		}
	}
	list, _ := f.svc.Templates(ctx, f.app)
	if len(list) != 1 || list[0].PriTmplID != tm.PriTmplID || len(list[0].Keywords) != 3 || list[0].Keywords[2].Key() != "time4" {
		t.Fatalf("templates %+v", list)
	}
	if other, _ := f.svc.Templates(ctx, f.other); len(other) != 0 {
		t.Fatal("another app sees the template")
	}
	if err := f.svc.DeleteTemplate(ctx, f.other, tm.PriTmplID); !errors.Is(err, subscribemsg.ErrTemplateNotFound) {
		t.Fatalf("another app deleted the template: %v", err)
	}
	if err := f.svc.DeleteTemplate(ctx, f.app, tm.PriTmplID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Template(ctx, f.app, tm.PriTmplID); !errors.Is(err, subscribemsg.ErrTemplateNotFound) {
		t.Fatalf("deleted template still there: %v", err)
	}
}

func TestTemplateLimit(t *testing.T) {
	ctx := context.Background()
	f := setup(t, nil)
	for i := 0; i < 50; i++ {
		if _, err := f.svc.AddTemplate(ctx, f.app, 307, []int64{1, 2}, ""); err != nil {
			t.Fatalf("template %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.AddTemplate(ctx, f.app, 307, []int64{1, 2}, ""); !errors.Is(err, subscribemsg.ErrTooManyTemplates) {
		t.Fatalf("51st template: %v", err)
	}
	if _, err := f.svc.AddTemplate(ctx, f.other, 307, []int64{1, 2}, ""); err != nil {
		t.Fatalf("the limit is per app: %v", err)
	}
}

func TestTitleList(t *testing.T) {
	f := setup(t, nil)
	count, list, err := f.svc.TitleList("1184,616", 0, 3)
	if err != nil || count != 8 || len(list) != 3 {
		t.Fatalf("count %d, %d titles, %v", count, len(list), err)
	}
	_, rest, _ := f.svc.TitleList("1184,616", 6, 30)
	if len(rest) != 2 {
		t.Fatalf("page from 6: %d titles", len(rest))
	}
	for _, c := range []struct {
		ids          string
		start, limit int
		want         error
	}{{"", 0, 1, subscribemsg.ErrIDsMissing}, {"x,1", 0, 1, subscribemsg.ErrIDsInvalid}, {"616", -1, 1, subscribemsg.ErrStart}, {"616", 0, 31, subscribemsg.ErrLimit}, {"616", 0, 0, subscribemsg.ErrLimit}} {
		if _, _, err := f.svc.TitleList(c.ids, c.start, c.limit); !errors.Is(err, c.want) {
			t.Errorf("TitleList(%q, %d, %d) = %v, want %v", c.ids, c.start, c.limit, err, c.want)
		}
	}
}

func TestCreditsOnePerAccept(t *testing.T) {
	ctx := context.Background()
	f := setup(t, nil)
	tm := f.paid(t)
	send := func() error {
		_, err := f.svc.Send(ctx, f.app, subscribemsg.SendInput{ToUser: f.openid, TemplateID: tm.PriTmplID, Page: "pages/index/index?x=1", Data: paidData()})
		return err
	}
	if err := send(); !errors.Is(err, subscribemsg.ErrNoCredit) {
		t.Fatalf("send without consent: %v", err)
	}
	// Rejected: no credit.
	if got, _ := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: subscribemsg.Reject}, false); got[tm.PriTmplID] != "reject" {
		t.Fatalf("answers %v", got)
	}
	if err := send(); !errors.Is(err, subscribemsg.ErrNoCredit) {
		t.Fatalf("send after reject: %v", err)
	}
	// Two accepts: two sends, then none.
	for i := 0; i < 2; i++ {
		if _, err := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: subscribemsg.Accept}, false); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := f.svc.Credits(ctx, f.app, f.user.ID, tm.PriTmplID); n != 2 {
		t.Fatalf("credits %d after two accepts", n)
	}
	events, cancel := f.hub.Subscribe(f.user.ID)
	defer cancel()
	for i := 0; i < 2; i++ {
		if err := send(); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	if err := send(); !errors.Is(err, subscribemsg.ErrNoCredit) {
		t.Fatalf("third send: %v", err)
	}
	if e := <-events; e.Type != "notification" || e.AppID != f.app {
		t.Fatalf("live event %+v", e)
	}
	list, unread, err := f.svc.Inbox(ctx, f.user.ID, 0, 10)
	if err != nil || len(list) != 2 || unread != 2 {
		t.Fatalf("inbox %d, unread %d, %v", len(list), unread, err)
	}
	n := list[0]
	if n.Title != "付款成功通知" || n.AppName != "Coffee" || n.EnvVersion != "release" || n.Page != "pages/index/index?x=1" ||
		len(n.Fields) != 3 || n.Fields[1] != (subscribemsg.Field{Key: "amount2", Name: "支付金额", Value: "¥100.00"}) || n.Read {
		t.Fatalf("notification %+v", n)
	}
	if err := f.svc.MarkRead(ctx, f.user.ID, list[1].ID); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.svc.Unread(ctx, f.user.ID); u != 1 {
		t.Fatalf("unread %d after reading the older one", u)
	}
	// An answer for another app's template, or a bad answer, records nothing.
	if _, err := f.svc.Decide(ctx, f.other, f.user.ID, map[string]string{tm.PriTmplID: subscribemsg.Accept}, false); !errors.Is(err, subscribemsg.ErrTemplateNotFound) {
		t.Fatalf("accept for another app's template: %v", err)
	}
	if _, err := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: "ban"}, false); !errors.Is(err, subscribemsg.ErrAnswer) {
		t.Fatalf("answer ban: %v", err)
	}
	if n, _ := f.svc.Credits(ctx, f.app, f.user.ID, tm.PriTmplID); n != 0 {
		t.Fatalf("credits %d", n)
	}
}

func TestAlwaysKeepChoice(t *testing.T) {
	ctx := context.Background()
	f := setup(t, nil)
	tm := f.paid(t)
	other, _ := f.svc.AddTemplate(ctx, f.app, 1200, []int64{1, 2, 3}, "")
	// Accept tm and reject other, keeping both.
	if _, err := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: "accept", other.PriTmplID: "reject"}, true); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Prompt(ctx, f.app, f.user.ID, []string{tm.PriTmplID, other.PriTmplID, "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kept[tm.PriTmplID] != "accept" || p.Kept[other.PriTmplID] != "reject" || len(p.Unknown) != 1 || p.Unknown[0] != "nope" || len(p.Templates) != 2 {
		t.Fatalf("prompt %+v", p)
	}
	// A later request answered the other way keeps the standing choice:
	// accept-always adds a credit, reject-always adds none.
	got, err := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: "reject", other.PriTmplID: "accept"}, false)
	if err != nil || got[tm.PriTmplID] != "accept" || got[other.PriTmplID] != "reject" {
		t.Fatalf("answers %v, %v", got, err)
	}
	if n, _ := f.svc.Credits(ctx, f.app, f.user.ID, tm.PriTmplID); n != 2 {
		t.Fatalf("kept accept: %d credits, want 2", n)
	}
	if n, _ := f.svc.Credits(ctx, f.app, f.user.ID, other.PriTmplID); n != 0 {
		t.Fatalf("kept reject: %d credits, want 0", n)
	}
	if err := f.svc.ForgetChoice(ctx, f.app, f.user.ID, other.PriTmplID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{other.PriTmplID: "accept"}, false); got[other.PriTmplID] != "accept" {
		t.Fatalf("after forgetting: %v", got)
	}
	// Duplicate titles are asked once.
	dup, _ := f.svc.AddTemplate(ctx, f.app, 99, []int64{1, 3}, "")
	p, _ = f.svc.Prompt(ctx, f.app, f.user.ID, []string{tm.PriTmplID, dup.PriTmplID})
	if len(p.Templates) != 1 {
		t.Fatalf("two templates titled alike are both asked: %+v", p.Templates)
	}
}

func TestSendChecks(t *testing.T) {
	ctx := context.Background()
	f := setup(t, func(ctx context.Context, appid, env string) ([]string, bool) {
		if env == "trial" {
			return []string{"pages/index/index", "pages/order/detail"}, true
		}
		return nil, false
	})
	tm := f.paid(t)
	f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: "accept"}, false)
	otherOpenID, _ := f.ident.Enroll(ctx, f.other, f.user.ID)
	base := subscribemsg.SendInput{ToUser: f.openid, TemplateID: tm.PriTmplID, Data: paidData()}
	with := func(mod func(*subscribemsg.SendInput)) subscribemsg.SendInput {
		in := base
		in.Data = paidData()
		mod(&in)
		return in
	}
	dataErr := func(key string) error { return &subscribemsg.DataError{Key: key} }
	for _, c := range []struct {
		name string
		in   subscribemsg.SendInput
		want error
	}{
		{"another app's openid", with(func(in *subscribemsg.SendInput) { in.ToUser = otherOpenID }), subscribemsg.ErrOpenID},
		{"unknown template", with(func(in *subscribemsg.SendInput) { in.TemplateID = "x" }), subscribemsg.ErrTemplateNotFound},
		{"missing value", with(func(in *subscribemsg.SendInput) { delete(in.Data, "amount2") }), dataErr("amount2")},
		{"bad amount", with(func(in *subscribemsg.SendInput) { in.Data["amount2"] = "100 dollars" }), dataErr("amount2")},
		{"bad time", with(func(in *subscribemsg.SendInput) { in.Data["time4"] = "tomorrow" }), dataErr("time4")},
		{"long string", with(func(in *subscribemsg.SendInput) { in.Data["character_string1"] = strings.Repeat("1", 33) }), dataErr("character_string1")},
		{"bad state", with(func(in *subscribemsg.SendInput) { in.State = "beta" }), subscribemsg.ErrState},
		{"bad lang", with(func(in *subscribemsg.SendInput) { in.Lang = "fr_FR" }), subscribemsg.ErrLang},
		{"not a trial page", with(func(in *subscribemsg.SendInput) { in.State = "trial"; in.Page = "pages/nope/nope" }), subscribemsg.ErrPage},
	} {
		_, err := f.svc.Send(ctx, f.app, c.in)
		var de *subscribemsg.DataError
		if want, ok := c.want.(*subscribemsg.DataError); ok {
			if !errors.As(err, &de) || de.Key != want.Key {
				t.Errorf("%s: %v, want a data error for %s", c.name, err, want.Key)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if n, _ := f.svc.Credits(ctx, f.app, f.user.ID, tm.PriTmplID); n != 1 {
		t.Fatalf("refused sends spent a credit: %d left", n)
	}
	if _, err := f.svc.Send(ctx, f.app, with(func(in *subscribemsg.SendInput) { in.State = "trial"; in.Page = "/pages/order/detail?id=7" })); err != nil {
		t.Fatalf("send to a trial page: %v", err)
	}
	list, _, _ := f.svc.Inbox(ctx, f.user.ID, 0, 10)
	if len(list) != 1 || list[0].EnvVersion != "trial" {
		t.Fatalf("inbox %+v", list)
	}
}

func TestValueRules(t *testing.T) {
	ok := map[string][]string{
		"thing":            {"云南白药牙膏", strings.Repeat("字", 20)},
		"number":           {"5", "3.14"},
		"letter":           {"A", "abcXYZ"},
		"symbol":           {"★★★", "+-"},
		"character_string": {"A023", "SF-123_x"},
		"time":             {"15:01", "2019年10月1日 15:01", "2019-10-01 15:01~2019-10-01 16:00"},
		"date":             {"2019年10月1日", "2019-10-01", "2019年10月1日 15:01"},
		"amount":           {"¥100.00", "100元", "5"},
		"phone_number":     {"13800138000", "+86 755-8601338"},
		"car_number":       {"粤B12345", "京A1234学"},
		"name":             {"张三", "John"},
		"phrase":           {"配送中"},
	}
	bad := map[string][]string{
		"thing":            {"", strings.Repeat("字", 21)},
		"number":           {"12a", strings.Repeat("1", 33)},
		"letter":           {"A1"},
		"symbol":           {"abc", "★★★★★★"},
		"character_string": {"中文", strings.Repeat("a", 33)},
		"time":             {"tomorrow", "2019年10月1日"},
		"date":             {"15:01", "yesterday"},
		"amount":           {"¥1.234", "ten"},
		"phone_number":     {"call me", strings.Repeat("1", 18)},
		"car_number":       {"粤B123456789"},
		"name":             {strings.Repeat("张", 11), "J0hn"},
		"phrase":           {"配送中配送中", "ok"},
	}
	for rule, vs := range ok {
		for _, v := range vs {
			if err := subscribemsg.CheckValue(rule+"1", rule, v); err != nil {
				t.Errorf("%s %q refused: %v", rule, v, err)
			}
		}
	}
	for rule, vs := range bad {
		for _, v := range vs {
			if err := subscribemsg.CheckValue(rule+"1", rule, v); err == nil {
				t.Errorf("%s %q accepted", rule, v)
			}
		}
	}
	if err := subscribemsg.CheckValue("thing3", "thing", ""); err == nil || err.Error() != "argument invalid! data.thing3.value is emtpy" {
		t.Fatalf("empty value: %v", err)
	}
}

// Concurrent sends for the same credits spend each exactly once, on
// either backend.
func TestConcurrentSendsSpendOnce(t *testing.T) {
	ctx := context.Background()
	f := setup(t, nil)
	tm := f.paid(t)
	const credits, senders = 3, 12
	for i := 0; i < credits; i++ {
		f.svc.Decide(ctx, f.app, f.user.ID, map[string]string{tm.PriTmplID: "accept"}, false)
	}
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.Send(ctx, f.app, subscribemsg.SendInput{ToUser: f.openid, TemplateID: tm.PriTmplID, Data: paidData()})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, subscribemsg.ErrNoCredit):
				refused.Add(1)
			default:
				t.Errorf("send: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != credits || refused.Load() != senders-credits {
		t.Fatalf("%s: %d sent, %d refused; want %d and %d", storetest.Backend(), ok.Load(), refused.Load(), credits, senders-credits)
	}
	list, _, _ := f.svc.Inbox(ctx, f.user.ID, 0, 50)
	if len(list) != credits {
		t.Fatalf("%d notifications for %d credits", len(list), credits)
	}
}
