package main

// Service categories of mini programs and the qualifications subjects have
// filed: the automated review checks a version's content against them.

import (
	"net/url"
	"strings"
)

func init() {
	appid := flagSpec{name: "appid", help: "the mini program", required: true}
	subject := flagSpec{name: "subject", help: "the subject id (sub_…)", required: true}
	name := flagSpec{name: "name", help: "the qualification document, e.g. 医疗机构执业许可证", required: true}
	appCategories := func(v map[string]string) string {
		return "/admin/v1/apps/" + url.PathEscape(v["appid"]) + "/miniprogram/categories"
	}
	qualifications := func(v map[string]string) string {
		return "/admin/v1/subjects/" + url.PathEscape(v["subject"]) + "/qualifications"
	}
	for _, rq := range []request{
		{name: "categories", usage: "", summary: "list the service categories mini programs can take (sensitive ones need a qualification)",
			method: "GET", path: func(map[string]string) string { return "/admin/v1/categories" }},
		{name: "mp categories show", usage: "--appid APPID", summary: "show a mini program's service categories",
			flags: []flagSpec{appid}, method: "GET", path: appCategories},
		{name: "mp categories set", usage: `--appid APPID --categories "工具/效率,医疗服务/私立医疗机构"`,
			summary: "set a mini program's service categories (replaces them; at most 20)",
			flags:   []flagSpec{appid, {name: "categories", help: `comma-separated "first class/second class" names; "" clears`}},
			method:  "PUT", path: appCategories,
			body: func(v map[string]string) any {
				list := []string{}
				for _, c := range strings.Split(v["categories"], ",") {
					if c = strings.TrimSpace(c); c != "" {
						list = append(list, c)
					}
				}
				return map[string]any{"categories": list}
			}},
		{name: "subject qualifications show", usage: "--subject SUBJECT", summary: "show the qualifications a subject has filed",
			flags: []flagSpec{subject}, method: "GET", path: qualifications},
		{name: "subject qualifications add", usage: "--subject SUBJECT --name NAME", summary: "record a qualification a subject has filed",
			flags: []flagSpec{subject, name}, method: "POST", path: qualifications,
			body: func(v map[string]string) any { return map[string]string{"name": v["name"]} }},
		{name: "subject qualifications remove", usage: "--subject SUBJECT --name NAME", summary: "withdraw a subject's qualification",
			flags: []flagSpec{subject, name}, method: "DELETE",
			path: func(v map[string]string) string { return qualifications(v) + "/" + url.PathEscape(v["name"]) }},
	} {
		rq.register()
	}
}
