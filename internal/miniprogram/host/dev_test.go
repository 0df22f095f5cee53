package host_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"superapp/internal/inflight"
	"superapp/internal/miniprogram/diag"
	"superapp/internal/miniprogram/host"
)

func TestDevEventsStreamTheLatestBuildStateInDevModeOnly(t *testing.T) {
	// Outside dev mode there is no such endpoint.
	prod := newWorld(t)
	if code, body := prod.shell(t, "GET", prod.app.AppID+"/dev/events", nil, nil); code != 404 || !strings.Contains(body, "not_found") {
		t.Fatalf("production: %d %s", code, body)
	}

	w := newWorld(t, dev)
	url := w.srv.URL + "/shell/api/mp/" + w.app.AppID + "/dev/events"
	if resp, body := get(t, url); resp.StatusCode != 401 || !strings.Contains(body, "not_signed_in") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, body)
	}
	if code, _ := w.shell(t, "GET", "wx0000000000000000/dev/events", nil, nil); code != 404 {
		t.Fatalf("unknown app: %d", code)
	}

	hub := w.p.MiniPrograms.DevHub()
	hub.Publish(host.DevEvent{Type: "build", AppID: w.app.AppID, Hash: "h1"})
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: w.session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %v %v", resp, err)
	}
	events := make(chan host.DevEvent)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e host.DevEvent
				json.Unmarshal([]byte(data), &e)
				events <- e
			}
		}
		close(events)
	}()
	// The state at connection time comes first, then each change.
	if e := <-events; e.Type != "build" || e.Hash != "h1" {
		t.Fatalf("first event: %+v", e)
	}
	hub.Publish(host.DevEvent{Type: "build", AppID: "wx1111111111111111", Hash: "other app"})
	hub.Publish(host.DevEvent{Type: "error", AppID: w.app.AppID, Errors: []diag.Error{diag.Errorf("app.json", 3, 5, "bad")}})
	if e := <-events; e.Type != "error" || len(e.Errors) != 1 || e.Errors[0].Error() != "app.json:3:5: bad" {
		t.Fatalf("error event: %+v", e)
	}
	// A graceful shutdown ends the stream (it waits for every request).
	stopped := make(chan error, 1)
	go func() { stopped <- w.srv.Config.Shutdown(context.Background()) }()
	if _, open := <-events; open {
		t.Fatal("the stream went on after the shutdown began")
	}
	resp.Body.Close()
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// One user's open pages are capped like the shell's own event streams.
func TestDevEventsStreamsPerUserAreCapped(t *testing.T) {
	w := newWorld(t, dev)
	url := w.srv.URL + "/shell/api/mp/" + w.app.AppID + "/dev/events"
	open := func() *http.Response {
		req, _ := http.NewRequest("GET", url, nil)
		req.AddCookie(&http.Cookie{Name: cookieName, Value: w.session})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var streams []*http.Response
	for range inflight.StreamsPerUser {
		resp := open()
		if resp.StatusCode != 200 {
			t.Fatalf("stream %d: %d", len(streams)+1, resp.StatusCode)
		}
		// The stream is registered once its first bytes arrive.
		bufio.NewReader(resp.Body).ReadString('\n')
		streams = append(streams, resp)
	}
	over := open()
	body, _ := io.ReadAll(over.Body)
	over.Body.Close()
	if over.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "too_many_streams") {
		t.Fatalf("one stream too many: %d %s", over.StatusCode, body)
	}
	streams[0].Body.Close()
	waitUntil(t, func() bool {
		resp := open()
		defer resp.Body.Close()
		return resp.StatusCode == 200
	})
	for _, s := range streams[1:] {
		s.Body.Close()
	}
}

// waitUntil polls cond until it holds (the test's own timeout bounds it).
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(10 * time.Millisecond)
	}
}
