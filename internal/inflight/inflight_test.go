package inflight

import (
	"context"
	"net"
	"net/http"
	"testing"
)

func TestCounterCapsEachKey(t *testing.T) {
	c := NewCounter(2)
	if !c.Open("ann") || !c.Open("ann") {
		t.Fatal("the first two were refused")
	}
	if c.Open("ann") {
		t.Fatal("a third was allowed")
	}
	if !c.Open("bob") {
		t.Fatal("another key was refused")
	}
	c.Close("ann")
	if !c.Open("ann") {
		t.Fatal("a place given back was not reusable")
	}
	c.Close("ann")
	c.Close("ann")
	c.Close("bob")
	if len(c.byKey) != 0 {
		t.Fatalf("keys left behind: %v", c.byKey)
	}
}

func TestShutdownsSignalsOnServerShutdown(t *testing.T) {
	d := NewShutdowns()
	if d.Signal(&http.Request{}) != nil {
		t.Fatal("a request without a server got a signal")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan (<-chan struct{}), 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- d.Signal(r)
	})}
	go srv.Serve(ln)
	resp, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ch := <-got
	select {
	case <-ch:
		t.Fatal("signalled before shutdown")
	default:
	}
	srv.Shutdown(context.Background())
	<-ch // closed by the shutdown; a hang fails the test by its timeout
}
