package adminapi_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

type problemBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func TestAutoReplyAdminAPI(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "subscription", "Blog")
	mp := s.CreateApp(t, "miniprogram", "Shop")
	path := "/admin/v1/apps/" + oa.AppID + "/autoreply"
	var doc officialaccount.AutoReplies
	get := func() officialaccount.AutoReplies {
		t.Helper()
		var d officialaccount.AutoReplies
		s.Call(t, "GET", path, nil, &d)
		return d
	}
	refused := func(method, p string, body any, status int, field, msg string) {
		t.Helper()
		before := get()
		code, raw := s.Do(t, method, p, body)
		var pb problemBody
		json.Unmarshal(raw, &pb)
		if code != status || pb.Error.Field != field || !strings.Contains(pb.Error.Message, msg) {
			t.Fatalf("%s %s: %d %s; want %d naming %q with %q", method, p, code, raw, status, field, msg)
		}
		if after := get(); after.UpdatedAt != before.UpdatedAt || len(after.KeywordRules) != len(before.KeywordRules) {
			t.Fatalf("a refused change was stored: %+v", after)
		}
	}

	if d := get(); d.KeywordRules == nil || len(d.KeywordRules) != 0 || d.FollowReply.Enabled || d.UpdatedAt != 0 {
		t.Fatalf("fresh document = %+v", d)
	}
	body := map[string]any{
		"follow_reply": map[string]any{"enabled": true, "reply": map[string]any{"type": "text", "content": "Welcome"}},
		"keyword_rules": []any{map[string]any{"keywords": []any{map[string]any{"match_mode": "contain", "content": "price"}},
			"replies": []any{map[string]any{"type": "text", "content": "Cheap"}}}},
	}
	s.Call(t, "PUT", path, body, &doc)
	if doc.UpdatedAt == 0 || len(doc.KeywordRules) != 1 || doc.KeywordRules[0].RuleName != "price" || doc.KeywordRules[0].ReplyMode != "reply_all" || doc.KeywordRules[0].CreateTime == 0 {
		t.Fatalf("stored document = %+v", doc)
	}
	if d := get(); d.KeywordRules[0].CreateTime != doc.KeywordRules[0].CreateTime || d.FollowReply.Reply.Content != "Welcome" {
		t.Fatalf("read back = %+v", d)
	}

	// Bad documents name the field and the limit and change nothing.
	bad := func(rule map[string]any) map[string]any { return map[string]any{"keyword_rules": []any{rule}} }
	refused("PUT", path, bad(map[string]any{"keywords": []any{map[string]any{"match_mode": "regex", "content": "a"}}, "replies": []any{map[string]any{"type": "text", "content": "x"}}}),
		400, "keyword_rules[0].keywords[0].match_mode", `"equal"`)
	refused("PUT", path, bad(map[string]any{"keywords": []any{map[string]any{"match_mode": "equal", "content": strings.Repeat("k", 31)}}, "replies": []any{map[string]any{"type": "text", "content": "x"}}}),
		400, "keyword_rules[0].keywords[0].content", "at most 30")
	refused("PUT", path, map[string]any{"follow_reply": map[string]any{"enabled": true}}, 400, "follow_reply.reply", "needs")
	refused("PUT", path, map[string]any{"keyword_rule": []any{}}, 400, "body", "unknown field")
	refused("POST", path+"/keyword-rules", map[string]any{"keywords": []any{map[string]any{"match_mode": "equal", "content": "hi"}}, "replies": []any{}},
		400, "keyword_rules[1].replies", "1 to 5")
	refused("PUT", path+"/follow", map[string]any{"reply": map[string]any{"type": "text", "content": "x"}}, 400, "enabled", "true or false")
	refused("PUT", path+"/default", map[string]any{"enabled": true}, 400, "default_reply.reply", "needs")

	// One part at a time.
	s.Call(t, "POST", path+"/keyword-rules", map[string]any{"keywords": []any{map[string]any{"match_mode": "equal", "content": "hi"}},
		"replies": []any{map[string]any{"type": "text", "content": "Hello"}}}, &doc)
	if len(doc.KeywordRules) != 2 || doc.KeywordRules[1].RuleName != "hi" {
		t.Fatalf("after adding a rule: %+v", doc.KeywordRules)
	}
	s.Call(t, "PUT", path+"/default", map[string]any{"enabled": true, "reply": map[string]any{"type": "text", "content": "Pardon?"}}, &doc)
	s.Call(t, "PUT", path+"/follow", map[string]any{"enabled": false}, &doc)
	if !doc.DefaultReply.Enabled || doc.DefaultReply.Reply.Content != "Pardon?" || doc.FollowReply.Enabled || doc.FollowReply.Reply.Content != "Welcome" {
		t.Fatalf("after switching: %+v", doc)
	}
	var cleared officialaccount.AutoReplies
	s.Call(t, "DELETE", path, nil, &cleared)
	if len(cleared.KeywordRules) != 0 || cleared.DefaultReply.Reply != nil || cleared.FollowReply.Reply != nil || cleared.UpdatedAt != 0 {
		t.Fatalf("after clear: %+v", cleared)
	}

	// Only official accounts; unknown apps are 404.
	code, raw := s.Do(t, "GET", "/admin/v1/apps/"+mp.AppID+"/autoreply", nil)
	var pb problemBody
	json.Unmarshal(raw, &pb)
	if code != 400 || pb.Error.Field != "appid" {
		t.Fatalf("a mini program's auto-replies: %d %s", code, raw)
	}
	if code, raw := s.Do(t, "PUT", "/admin/v1/apps/wx0000000000000000/autoreply/follow", map[string]any{"enabled": false}); code != 404 {
		t.Fatalf("an unknown app: %d %s", code, raw)
	}
}

func TestMenusAdminAPI(t *testing.T) {
	s := testserver.New(t)
	oa := s.CreateApp(t, "service", "News")
	var menus officialaccount.Menus
	s.Call(t, "GET", "/admin/v1/apps/"+oa.AppID+"/menus", nil, &menus)
	if menus.Default != nil || menus.Conditional == nil || len(menus.Conditional) != 0 {
		t.Fatalf("menus of a fresh account = %+v", menus)
	}
	buttons := []officialaccount.Button{{Type: "click", Name: "Hi", Key: "HI"}}
	if _, err := s.Server.P.OA.CreateMenu(context.Background(), oa.AppID, buttons); err != nil {
		t.Fatal(err)
	}
	s.Call(t, "GET", "/admin/v1/apps/"+oa.AppID+"/menus", nil, &menus)
	if menus.Default == nil || menus.Default.MenuID == 0 || len(menus.Default.Buttons) != 1 || !reflect.DeepEqual(menus.Default.Buttons, buttons) {
		t.Fatalf("menus = %+v", menus)
	}
}
