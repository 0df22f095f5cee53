package host_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
	// Closing the hub ends the stream (a graceful shutdown waits for it).
	hub.Close()
	if _, open := <-events; open {
		t.Fatal("the stream went on after Close")
	}
	resp.Body.Close()
}
