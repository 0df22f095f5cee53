package main

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// browserResult is browser.mjs's output.
type browserResult struct {
	Chromium string                  `json:"chromium"`
	Cold     map[string]*coldSamples `json:"cold"`
	SetData  *setDataResult          `json:"setdata"`
}

type coldSamples struct {
	// In the shell: a tap in Discover's recent list of an idle shell, ms
	// from the tap; cold starts both (the app in no memory), ShellCold with
	// the package not in the HTTP cache, ShellWarm with it there.
	ShellCold []launchSample `json:"shellCold"`
	ShellWarm []launchSample `json:"shellWarm"`
	// Full page: navigating the tab to /miniprogram/<appid>, ms from the
	// shell document's navigation start (shell boot included).
	Cold []launchSample `json:"cold"`
	Warm []launchSample `json:"warm"`
	// A warm start (WeChat's 热启动): the app back from the background.
	Resume   []resumeSample `json:"resume"`
	Problems []string       `json:"problems"`
}

// launchSample is one launch, every time in ms from the shell's
// navigation start; a nil phase was not observed.
type launchSample struct {
	Rendered      float64             `json:"rendered"`
	RenderedFrame float64             `json:"renderedFrame"`
	Phases        map[string]*float64 `json:"phases"`
	Transferred   float64             `json:"transferred"`
	Files         []string            `json:"files"`
}

type resumeSample struct {
	Visible       float64 `json:"visible"`
	VisibleFrame  float64 `json:"visibleFrame"`
	ShowDelivered float64 `json:"showDelivered"`
}

type setDataResult struct {
	Samples  map[string][]setDataSample `json:"samples"`
	Problems []string                   `json:"problems"`
}

type setDataSample struct {
	DOM      float64 `json:"dom"`
	Frame    float64 `json:"frame"`
	Callback float64 `json:"callback"`
	Ops      float64 `json:"ops"`
	OpsCount float64 `json:"opsCount"`
}

// summary is the order statistics of a sample.
type summary struct {
	n                     int
	median, p90, min, max float64
}

func summarize(xs []float64) summary {
	if len(xs) == 0 {
		return summary{median: math.NaN(), p90: math.NaN(), min: math.NaN(), max: math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	// Nearest rank.
	p90 := s[int(math.Ceil(0.9*float64(len(s))))-1]
	return summary{len(s), med, p90, s[0], s[len(s)-1]}
}

func (s summary) String() string {
	if s.n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f · %.0f · %.0f–%.0f", s.median, s.p90, s.min, s.max)
}

func ms(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.0f", v)
}

func table(header string) *tabwriter.Writer {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(w, header)
	return w
}

func of[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// phaseOrder lists the launch phases in the order they happen (browser.mjs
// names them); each is ms since the shell's navigation start.
var phaseOrder = []struct{ key, label string }{
	{"shellDOMContentLoaded", "shell DCL"},
	{"launchAPIStart", "launch API sent"},
	{"launchAPIEnd", "launch API back"},
	{"filesFetched", "runtime+pkg fetched"},
	{"frameNavStart", "frame nav start"},
	{"frameHTML", "frame HTML"},
	{"viewJSStart", "view.js requested"},
	{"viewJSFetched", "view.js fetched"},
	{"frameReady", "frame ready"},
	{"frameGotLoad", "load in frame"},
	{"workerNew", "new Worker"},
	{"workerStart", "worker runs"},
	{"serviceStart", "service.js starts"},
	{"serviceEvaluated", "service.js done"},
	{"firstOps", "first ops"},
}

func reportCold(apps []coldApp, res map[string]*coldSamples, sizes map[string]int64) {
	fmt.Printf("\nStart-up in WeChat's terms (median · p90 · min–max of %d runs, ms)\n", *flagRuns)
	fmt.Printf("cold start (冷启动) = the app is in no memory: tap in Discover's recent list of a shell idle for 3 s → the first page's element is in its shadow root;\n")
	fmt.Printf("  package downloaded = not in the HTTP cache (a new browser context); package cached = in it (a new tab of the same context)\n")
	fmt.Printf("warm start (热启动) = the app kept in the background (≤ 5 min): tap in Discover → its page shown, next frame; onShow = when the app's onShow message reached the frame\n")
	fmt.Printf("full page: navigating the tab to /miniprogram/<appid> (shell boot included); cached = the same page navigated again\n")
	w := table("fixture\tmain package\tcold, downloaded\tcold, package cached\twarm (from background)\twarm: onShow\tfull page cold\tfull page cold, cached\tmini program part, full page (median)\tbytes over network / cached\tfailed runs")
	for _, a := range apps {
		s := res[a.Name]
		if s == nil {
			continue
		}
		mpPart := func(xs []launchSample) float64 {
			return summarize(of(xs, func(l launchSample) float64 {
				if p := l.Phases["launchAPIStart"]; p != nil {
					return l.Rendered - *p
				}
				return math.NaN()
			})).median
		}
		fmt.Fprintf(w, "%s\t%d kB\t%s\t%s\t%s\t%s\t%s\t%s\t%s / %s\t%s / %s\t%d\n", a.Name, sizes[a.Name]/1000,
			summarize(of(s.ShellCold, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.ShellWarm, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.Resume, func(r resumeSample) float64 { return r.VisibleFrame })),
			ms(summarize(of(s.Resume, func(r resumeSample) float64 { return r.ShowDelivered })).median),
			summarize(of(s.Cold, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.Warm, func(l launchSample) float64 { return l.Rendered })),
			ms(mpPart(s.Cold)), ms(mpPart(s.Warm)),
			kb(summarize(of(s.Cold, func(l launchSample) float64 { return l.Transferred })).median),
			kb(summarize(of(s.Warm, func(l launchSample) float64 { return l.Transferred })).median),
			*flagRuns-min(len(s.Cold), len(s.ShellCold), len(s.ShellWarm)))
	}
	w.Flush()
	reportTargets(apps, res, sizes)

	fmt.Printf("\nWhere the time goes in a cold start: median ms at which each phase ends, since the tap (in shell) or the navigation start (full page); negative = before the tap\n")
	header := "fixture\tstart"
	for _, p := range phaseOrder {
		header += "\t" + p.label
	}
	w = table(header + "\trendered\tnext frame")
	for _, a := range apps {
		s := res[a.Name]
		if s == nil {
			continue
		}
		for _, kind := range []string{"cold, downloaded", "cold, cached", "full page", "full page, cached"} {
			xs := map[string][]launchSample{"cold, downloaded": s.ShellCold, "cold, cached": s.ShellWarm, "full page": s.Cold, "full page, cached": s.Warm}[kind]
			row := a.Name + "\t" + kind
			for _, p := range phaseOrder {
				row += "\t" + ms(summarize(of(xs, func(l launchSample) float64 {
					if v := l.Phases[p.key]; v != nil {
						return *v
					}
					return math.NaN()
				})).median)
			}
			row += "\t" + ms(summarize(of(xs, func(l launchSample) float64 { return l.Rendered })).median)
			row += "\t" + ms(summarize(of(xs, func(l launchSample) float64 { return l.RenderedFrame })).median)
			fmt.Fprintln(w, row)
		}
	}
	w.Flush()
	for _, a := range apps {
		if s := res[a.Name]; s != nil && len(s.Problems) > 0 {
			fmt.Printf("%s: problems:\n  %s\n", a.Name, strings.Join(s.Problems, "\n  "))
		}
	}
}

// reportTargets checks issue 4's start-up targets on the largest package
// (the generated 2 MB one): median cold start ≤ 200 ms, downloaded or
// cached, and warm start ≤ 100 ms.
func reportTargets(apps []coldApp, res map[string]*coldSamples, sizes map[string]int64) {
	var big string
	for _, a := range apps {
		if res[a.Name] != nil && (big == "" || sizes[a.Name] > sizes[big]) {
			big = a.Name
		}
	}
	if big == "" {
		return
	}
	s := res[big]
	check := func(name string, v, limit float64) string {
		mark := "✓"
		if math.IsNaN(v) || v > limit {
			mark = "✗"
		}
		return fmt.Sprintf("%s %s ms (≤ %.0f) %s", name, ms(v), limit, mark)
	}
	fmt.Printf("targets, %s (%d kB), medians: %s; %s; %s\n", big, sizes[big]/1000,
		check("cold, downloaded", summarize(of(s.ShellCold, func(l launchSample) float64 { return l.Rendered })).median, 200),
		check("cold, package cached", summarize(of(s.ShellWarm, func(l launchSample) float64 { return l.Rendered })).median, 200),
		check("warm", summarize(of(s.Resume, func(r resumeSample) float64 { return r.VisibleFrame })).median, 100))
}

func kb(b float64) string {
	if math.IsNaN(b) {
		return "—"
	}
	return fmt.Sprintf("%.1f kB", b/1000)
}

var setDataOrder = []struct{ key, label string }{
	{"init", "initial render of 1,000 items (list [] → 1,000)"},
	{"one", "one field by path: 'list[500].title'"},
	{"replace", "replace the whole list (1,000 new objects, same keys)"},
	{"append", "append 100 (list.concat, 1,100 sent)"},
	{"appendPaths", "append 100 by path keys list[1100…1199]"},
	{"clear", "clear (1,200 → 0)"},
}

func reportSetData(r *setDataResult) {
	fmt.Printf("\nsetData on a 1,000-item wx:for (ms from setData in the worker; median · p90 · min–max of %d runs)\n", *flagRuns)
	w := table("update\tops reach the view\tops\tDOM shows it\tnext frame\tsetData callback")
	for _, o := range setDataOrder {
		xs := r.Samples[o.key]
		fmt.Fprintf(w, "%s\t%s\t%.0f\t%s\t%s\t%s\n", o.label,
			summarize(of(xs, func(s setDataSample) float64 { return s.Ops })),
			summarize(of(xs, func(s setDataSample) float64 { return s.OpsCount })).median,
			summarize(of(xs, func(s setDataSample) float64 { return s.DOM })),
			summarize(of(xs, func(s setDataSample) float64 { return s.Frame })),
			summarize(of(xs, func(s setDataSample) float64 { return s.Callback })))
	}
	w.Flush()
	if len(r.Problems) > 0 {
		fmt.Printf("setdata: problems:\n  %s\n", strings.Join(r.Problems, "\n  "))
	}
}
