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
	// from the tap; cold without and warm with the package in the cache.
	ShellCold []launchSample `json:"shellCold"`
	ShellWarm []launchSample `json:"shellWarm"`
	// Full page: navigating the tab to /miniprogram/<appid>, ms from the
	// shell document's navigation start (shell boot included).
	Cold     []launchSample `json:"cold"`
	Warm     []launchSample `json:"warm"`
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
	fmt.Printf("\nCold / warm start until the first page's element is in its shadow root (median · p90 · min–max of %d runs)\n", *flagRuns)
	fmt.Printf("in shell: tap in Discover's recent list of a shell idle for 3 s → rendered; cold = package not in the HTTP cache, warm = cached (a new tab: the app is in no memory)\n")
	fmt.Printf("full page: navigating the tab to /miniprogram/<appid> (shell boot included); warm = the same page navigated again; resume = tap in Discover → frame shown, next frame\n")
	w := table("fixture\tmain package\tin shell cold\tin shell warm\tfull page cold\tfull page warm\tmini program part cold / warm (median)\tresume\tbytes over network cold / warm\tfailed runs")
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
		fmt.Fprintf(w, "%s\t%d kB\t%s\t%s\t%s\t%s\t%s / %s\t%s\t%s / %s\t%d\n", a.Name, sizes[a.Name]/1000,
			summarize(of(s.ShellCold, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.ShellWarm, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.Cold, func(l launchSample) float64 { return l.Rendered })),
			summarize(of(s.Warm, func(l launchSample) float64 { return l.Rendered })),
			ms(mpPart(s.Cold)), ms(mpPart(s.Warm)),
			summarize(of(s.Resume, func(r resumeSample) float64 { return r.VisibleFrame })),
			kb(summarize(of(s.Cold, func(l launchSample) float64 { return l.Transferred })).median),
			kb(summarize(of(s.Warm, func(l launchSample) float64 { return l.Transferred })).median),
			*flagRuns-min(len(s.Cold), len(s.ShellCold), len(s.ShellWarm)))
	}
	w.Flush()

	fmt.Printf("\nWhere the time goes: median ms at which each phase ends, since the tap (in shell) or the navigation start (full page); negative = before the tap\n")
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
		for _, kind := range []string{"shell cold", "shell warm", "page cold", "page warm"} {
			xs := map[string][]launchSample{"shell cold": s.ShellCold, "shell warm": s.ShellWarm, "page cold": s.Cold, "page warm": s.Warm}[kind]
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
