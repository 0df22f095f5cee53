package shell_test

import (
	"context"
	"fmt"
	"testing"

	"superapp/internal/account"
	"superapp/internal/nearby"
	"superapp/internal/testserver"
)

func TestNearbyAPI(t *testing.T) {
	ts := testserver.New(t, testserver.Dev())
	ctx := context.Background()
	p := ts.Server.P
	at := func(m float64) *float64 { v := 31.2304 + m/111195.08; return &v }
	lng := 121.4737
	for i, m := range []float64{3000, 1000, 8000} {
		app, _, err := p.Accounts.CreateApp(ctx, account.MiniProgram, fmt.Sprintf("Shop %d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Nearby.Add(ctx, app, nearby.POIInput{StoreName: fmt.Sprintf("Store %d", i), Address: "Road", Credential: fmt.Sprintf("%015d", i+1),
			Latitude: at(m), Longitude: &lng}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, ts.URL, nil)
	q := "/shell/api/nearby?latitude=31.2304&longitude=121.4737"
	b.fails("GET", q, nil, 401, "not_signed_in", "")
	b.ok("POST", "/shell/api/test-user", map[string]any{})

	m := b.ok("GET", q, nil)
	items, _ := m["items"].([]any)
	if len(items) != 2 || m["has_more"] != false || m["radius"] != float64(5000) {
		t.Fatalf("nearby = %v, want 2 items within 5 km", m)
	}
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	if first["name"] != "Shop 1" || first["distance"] != float64(1000) || first["store_name"] != "Store 1" || second["name"] != "Shop 0" || second["distance"] != float64(3000) {
		t.Fatalf("items = %v, want Shop 1 at 1000 m then Shop 0 at 3000 m", items)
	}
	page1 := b.ok("GET", q+"&page_size=1", nil)
	page2 := b.ok("GET", q+"&page_size=1&page=2", nil)
	if page1["has_more"] != true || page2["has_more"] != false || page2["items"].([]any)[0].(map[string]any)["name"] != "Shop 0" {
		t.Fatalf("pages of 1: %v / %v", page1, page2)
	}

	b.fails("GET", "/shell/api/nearby?latitude=95&longitude=0", nil, 400, "invalid_input", "latitude")
	b.fails("GET", "/shell/api/nearby?latitude=1", nil, 400, "invalid_input", "longitude")
	b.fails("GET", "/shell/api/nearby?latitude=1&longitude=x", nil, 400, "invalid_input", "longitude")
	b.fails("GET", q+"&page_size=51", nil, 400, "invalid_input", "page_size")
	b.fails("GET", q+"&page=1.5", nil, 400, "invalid_input", "page")
	if m := b.ok("GET", q+"&page=999999999999999999", nil); len(m["items"].([]any)) != 0 || m["has_more"] != false {
		t.Fatalf("a page far beyond the end: %v", m)
	}
	b.fails("POST", q, map[string]any{}, 405, "method_not_allowed", "")
}
