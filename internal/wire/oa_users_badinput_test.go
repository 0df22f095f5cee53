package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const (
	famOAUsers = "official accounts: followers, tags, blacklist"
	noteOurs   = "WeChat documents the code, not its English message; ours"
)

// aliceFollows makes alice follow the service account; {aliceoa} is her
// OpenID there.
func aliceFollows(t *testing.T, f *fixture, vars map[string]string) {
	if _, err := f.s.Server.P.OA.Follow(context.Background(), f.oa.AppID, f.vars["alice"], "", nil); err != nil {
		t.Fatal(err)
	}
	vars["aliceoa"] = f.s.Server.P.Identity.OpenID(f.oa.AppID, f.vars["alice"])
}

// withTags creates n tags in the service account for the case, {tag0} …
// being their ids, and deletes them afterwards.
func withTags(n int) func(*testing.T, *fixture, map[string]string) {
	return func(t *testing.T, f *fixture, vars map[string]string) {
		ctx := context.Background()
		oa := f.s.Server.P.OA
		for i := range n {
			tag, err := oa.CreateTag(ctx, f.oa.AppID, fmt.Sprintf("case tag %d", i))
			if err != nil {
				t.Fatal(err)
			}
			vars[fmt.Sprintf("tag%d", i)] = fmt.Sprint(tag.ID)
			t.Cleanup(func() { oa.DeleteTag(ctx, f.oa.AppID, tag.ID) })
		}
	}
}

// tagsFull fills the service account up to its tag limit.
func tagsFull(t *testing.T, f *fixture, vars map[string]string) {
	tags, err := f.s.Server.P.OA.Tags(context.Background(), f.oa.AppID)
	if err != nil {
		t.Fatal(err)
	}
	withTags(f.s.Server.P.OA.Policy().TagsMax-len(tags))(t, f, vars)
}

// aliceTagsFull gives alice as many tags as a user may have, plus one more
// tag {spare} to try.
func aliceTagsFull(t *testing.T, f *fixture, vars map[string]string) {
	aliceFollows(t, f, vars)
	n := f.s.Server.P.OA.Policy().TagsPerUser
	withTags(n+1)(t, f, vars)
	for i := range n {
		var id int64
		fmt.Sscan(vars[fmt.Sprintf("tag%d", i)], &id)
		if err := f.s.Server.P.OA.TagFollowers(context.Background(), f.oa.AppID, id, []string{vars["aliceoa"]}); err != nil {
			t.Fatal(err)
		}
	}
	vars["spare"] = vars[fmt.Sprintf("tag%d", n)]
}

// openIDList is a JSON array of n copies of openid (a placeholder).
func openIDList(n int, openid string) string {
	b, _ := json.Marshal(strings.Split(strings.Repeat(openid+"\n", n), "\n")[:n])
	return string(b)
}

var (
	userGet    = "/cgi-bin/user/get?access_token={oatok}"
	userInfo   = "/cgi-bin/user/info?access_token={oatok}"
	batchGet   = "/cgi-bin/user/info/batchget?access_token={oatok}"
	remarkP    = "/cgi-bin/user/info/updateremark?access_token={oatok}"
	tagsCreate = "/cgi-bin/tags/create?access_token={oatok}"
	tagsUpdate = "/cgi-bin/tags/update?access_token={oatok}"
	tagsDelete = "/cgi-bin/tags/delete?access_token={oatok}"
	tagMembers = "/cgi-bin/user/tag/get?access_token={oatok}"
	tagging    = "/cgi-bin/tags/members/batchtagging?access_token={oatok}"
	untagging  = "/cgi-bin/tags/members/batchuntagging?access_token={oatok}"
	idList     = "/cgi-bin/tags/getidlist?access_token={oatok}"
	blackGet   = "/cgi-bin/tags/members/getblacklist?access_token={oatok}"
	blackAdd   = "/cgi-bin/tags/members/batchblacklist?access_token={oatok}"
	blackDel   = "/cgi-bin/tags/members/batchunblacklist?access_token={oatok}"
)

// oaUserCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaUserCases = []badCase{
	// GET /cgi-bin/user/get
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/get", input: "access_token missing", target: "/cgi-bin/user/get", want: 41001, prefix: "access_token missing"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/get", input: "mini program token", target: "/cgi-bin/user/get?access_token={mptok}", want: 48001, prefix: "api unauthorized, miniprogram accounts cannot call this API"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/get", input: "next_openid that is no follower's", target: userGet + "&next_openid=oNobody", want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/get", input: "next_openid with NUL and invalid UTF-8", target: userGet + "&next_openid=%00%FF", want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/get", input: "next_openid empty (PowerWeChat's first page)", target: userGet + "&next_openid=", want: 0},

	// GET /cgi-bin/user/info
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/info", input: "openid missing", target: userInfo + "&lang=zh_CN", want: 41009, prefix: "missing openid"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/info", input: "openid of the user in another app", target: userInfo + "&openid={openid}", want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/info", input: "openid with NUL and invalid UTF-8", target: userInfo + "&openid=o%00%FF", want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/info", input: "mini program token", target: "/cgi-bin/user/info?access_token={mptok}&openid={openid}", want: 48001, prefix: "api unauthorized"},
	{family: famOAUsers, endpoint: "GET /cgi-bin/user/info", input: "unsupported lang=xx", target: userInfo + "&openid={aliceoa}&lang=xx", setup: aliceFollows, want: 0, note: "lang only picks the language of place names, which are empty"},

	// POST /cgi-bin/user/info/batchget
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/batchget", input: "GET", target: batchGet, want: 43002, prefix: "require POST method"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/batchget", input: "empty user_list", method: "POST", target: batchGet, body: `{"user_list":[]}`, want: 40032, prefix: "invalid openid list size, 0 openids, between 1 and 100 allowed", note: "our reading: an empty list is a wrong size"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/batchget", input: "101 users", method: "POST", target: batchGet, body: `{"user_list":[` + strings.TrimSuffix(strings.Repeat(`{"openid":"{aliceoa}"},`, 101), ",") + `]}`, setup: aliceFollows, want: 40032, prefix: "invalid openid list size, 101 openids"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/batchget", input: "one openid not the account's", method: "POST", target: batchGet, body: `{"user_list":[{"openid":"{aliceoa}"},{"openid":"{openid}"}]}`, setup: aliceFollows, want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/batchget", input: "user_list is an object", method: "POST", target: batchGet, body: `{"user_list":{"openid":"x"}}`, want: 47001, prefix: "data format error"},

	// POST /cgi-bin/user/info/updateremark
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/updateremark", input: "openid missing", method: "POST", target: remarkP, body: `{"remark":"x"}`, want: 41009, prefix: "missing openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/updateremark", input: "remark of 30 bytes (10 CJK characters)", method: "POST", target: remarkP, body: `{"openid":"{aliceoa}","remark":"一二三四五六七八九十"}`, setup: aliceFollows, want: 40092, prefix: "invalid remark name, 30 bytes, a remark must be shorter than 30 bytes", note: "\"长度必须小于30字节\"; WeChat's message observed"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/updateremark", input: "remark with NUL", method: "POST", target: remarkP, body: `{"openid":"{aliceoa}","remark":"a\u0000b"}`, setup: aliceFollows, want: 40092, prefix: "invalid remark name"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/info/updateremark", input: "openid of nobody", method: "POST", target: remarkP, body: `{"openid":"oNobody","remark":"x"}`, want: 40003, prefix: `invalid openid, "oNobody"`},

	// POST /cgi-bin/tags/create
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "GET", target: tagsCreate, want: 43002, prefix: "require POST method"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "name missing", method: "POST", target: tagsCreate, body: `{"tag":{}}`, want: 45157, prefix: "invalid tag name"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "name of 33 bytes (11 CJK characters)", method: "POST", target: tagsCreate, body: `{"tag":{"name":"一二三四五六七八九十一"}}`, want: 45158, prefix: "tag name too long, 33 bytes, at most 30", note: noteOurs},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "name another tag has", method: "POST", target: tagsCreate, body: `{"tag":{"name":"case tag 0"}}`, setup: withTags(1), want: 45157, prefix: "invalid tag name, tag ", note: "\"标签名非法，请注意不能和其他标签重名\""},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "the account already has 100 tags", method: "POST", target: tagsCreate, body: `{"tag":{"name":"one more"}}`, setup: tagsFull, want: 45056, prefix: "too many tags now", note: noteOurs},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/create", input: "name is a number", method: "POST", target: tagsCreate, body: `{"tag":{"name":5}}`, want: 47001, prefix: "data format error"},

	// POST /cgi-bin/tags/update
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/update", input: "reserved tag 2", method: "POST", target: tagsUpdate, body: `{"tag":{"id":2,"name":"x"}}`, want: 45058, prefix: "can not modify the system reserved tags", note: noteOurs},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/update", input: "unknown tag id", method: "POST", target: tagsUpdate, body: `{"tag":{"id":99999,"name":"x"}}`, want: 45159, prefix: "invalid tag id"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/update", input: "name another tag has", method: "POST", target: tagsUpdate, body: `{"tag":{"id":{tag1},"name":"case tag 0"}}`, setup: withTags(2), want: 45157, prefix: "invalid tag name"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/update", input: "id a non-numeric string", method: "POST", target: tagsUpdate, body: `{"tag":{"id":"abc","name":"x"}}`, want: 47001, prefix: "data format error"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/update", input: "id a numeric string (PowerWeChat)", method: "POST", target: tagsUpdate, body: `{"tag":{"id":"{tag0}","name":"renamed"}}`, setup: withTags(1), want: 0},

	// POST /cgi-bin/tags/delete
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/delete", input: "reserved tag 1", method: "POST", target: tagsDelete, body: `{"tag":{"id":1}}`, want: 45058, prefix: "can not modify the system reserved tags"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/delete", input: "id missing (0, reserved)", method: "POST", target: tagsDelete, body: `{"tag":{}}`, want: 45058, prefix: "can not modify the system reserved tags"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/delete", input: "unknown tag id", method: "POST", target: tagsDelete, body: `{"tag":{"id":123456}}`, want: 45159, prefix: "invalid tag id, tag 123456"},

	// POST /cgi-bin/user/tag/get
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/tag/get", input: "unknown tagid", method: "POST", target: tagMembers, body: `{"tagid":4242,"next_openid":""}`, want: 45159, prefix: "invalid tag id"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/tag/get", input: "next_openid of nobody", method: "POST", target: tagMembers, body: `{"tagid":{tag0},"next_openid":"oNobody"}`, setup: withTags(1), want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/user/tag/get", input: "tagid as a string (PowerWeChat)", method: "POST", target: tagMembers, body: `{"tagid":"{tag0}","next_openid":""}`, setup: withTags(1), want: 0},

	// POST /cgi-bin/tags/members/batchtagging
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "51 openids", method: "POST", target: tagging, body: `{"openid_list":` + openIDList(51, "{aliceoa}") + `,"tagid":{tag0}}`, setup: both(aliceFollows, withTags(1)), want: 40032, prefix: "invalid openid list size, 51 openids, between 1 and 50 allowed"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "empty openid_list", method: "POST", target: tagging, body: `{"openid_list":[],"tagid":{tag0}}`, setup: withTags(1), want: 40032, prefix: "invalid openid list size"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "reserved tag 2", method: "POST", target: tagging, body: `{"openid_list":["{aliceoa}"],"tagid":2}`, setup: aliceFollows, want: 45159, prefix: "invalid tag id", note: "as observed for 星标组 (2)"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "one openid of another app", method: "POST", target: tagging, body: `{"openid_list":["{aliceoa}","{openid}"],"tagid":{tag0}}`, setup: both(aliceFollows, withTags(1)), want: 40003, prefix: "invalid openid", note: "the whole batch fails; WeChat also documents 49003 for this"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "a user who has 20 tags already", method: "POST", target: tagging, body: `{"openid_list":["{aliceoa}"],"tagid":{spare}}`, setup: aliceTagsFull, want: 45059, prefix: "user has too many tags", note: noteOurs},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchtagging", input: "openid_list of numbers", method: "POST", target: tagging, body: `{"openid_list":[1,2],"tagid":{tag0}}`, setup: withTags(1), want: 47001, prefix: "data format error"},

	// POST /cgi-bin/tags/members/batchuntagging
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchuntagging", input: "unknown tagid", method: "POST", target: untagging, body: `{"openid_list":["{aliceoa}"],"tagid":777}`, setup: aliceFollows, want: 45159, prefix: "invalid tag id"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchuntagging", input: "51 openids", method: "POST", target: untagging, body: `{"openid_list":` + openIDList(51, "{aliceoa}") + `,"tagid":{tag0}}`, setup: both(aliceFollows, withTags(1)), want: 40032, prefix: "invalid openid list size"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchuntagging", input: "openid of nobody", method: "POST", target: untagging, body: `{"openid_list":["oNobody"],"tagid":{tag0}}`, setup: withTags(1), want: 40003, prefix: "invalid openid"},

	// POST /cgi-bin/tags/getidlist
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/getidlist", input: "openid missing", method: "POST", target: idList, body: `{}`, want: 41009, prefix: "missing openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/getidlist", input: "openid of another app", method: "POST", target: idList, body: `{"openid":"{openid}"}`, want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/getidlist", input: "empty body", method: "POST", target: idList, want: 41009, prefix: "missing openid"},

	// POST /cgi-bin/tags/members/getblacklist
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/getblacklist", input: "GET", target: blackGet, want: 43002, prefix: "require POST method"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/getblacklist", input: "begin_openid of nobody", method: "POST", target: blackGet, body: `{"begin_openid":"oNobody"}`, want: 40003, prefix: "invalid openid", note: "WeChat documents 49003 too"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/getblacklist", input: "empty body", method: "POST", target: blackGet, want: 0},

	// POST /cgi-bin/tags/members/batchblacklist and batchunblacklist
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchblacklist", input: "21 openids", method: "POST", target: blackAdd, body: `{"openid_list":` + openIDList(21, "{aliceoa}") + `}`, setup: aliceFollows, want: 40032, prefix: "invalid openid list size, 21 openids, between 1 and 20 allowed"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchblacklist", input: "openid_list missing", method: "POST", target: blackAdd, body: `{}`, want: 40032, prefix: "invalid openid list size"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchblacklist", input: "openid of another app", method: "POST", target: blackAdd, body: `{"openid_list":["{openid}"]}`, want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchunblacklist", input: "21 openids", method: "POST", target: blackDel, body: `{"openid_list":` + openIDList(21, "{aliceoa}") + `}`, setup: aliceFollows, want: 40032, prefix: "invalid openid list size"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchunblacklist", input: "openid of nobody", method: "POST", target: blackDel, body: `{"openid_list":["oNobody"]}`, want: 40003, prefix: "invalid openid"},
	{family: famOAUsers, endpoint: "POST /cgi-bin/tags/members/batchunblacklist", input: "mini program token", method: "POST", target: "/cgi-bin/tags/members/batchunblacklist?access_token={mptok}", body: `{"openid_list":["{openid}"]}`, want: 48001, prefix: "api unauthorized"},
}
