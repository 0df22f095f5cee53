package wxhttp

import (
	"encoding/json"
	"testing"
)

// The expected texts are what node prints for String(v).
func TestValueIsJavaScriptsString(t *testing.T) {
	for src, want := range map[string]string{
		`"text"`: "text", `3`: "3", `-2.5`: "-2.5", `0.1`: "0.1", `100`: "100", `1e6`: "1000000",
		`123456789012345680000`: "123456789012345680000", `1e21`: "1e+21", `1.5e22`: "1.5e+22",
		`0.0000001`: "1e-7", `0.00000015`: "1.5e-7", `0.000001`: "0.000001", `-0`: "0", `1e-300`: "1e-300",
		`true`: "true", `false`: "false", `null`: "", `[1,"a",null,2.5]`: "1,a,,2.5", `{"a":1}`: "[object Object]",
	} {
		var v any
		if err := json.Unmarshal([]byte(src), &v); err != nil {
			t.Fatal(err)
		}
		if got := Value(v); got != want {
			t.Errorf("String(%s) = %q, want %q", src, got, want)
		}
	}
}

func TestForbidden(t *testing.T) {
	for name, want := range map[string]bool{"Origin": true, "Referer": true, "Host": true, "Sec-Websocket-Key": true, "Proxy-Foo": true,
		"": true, "Authorization": false, "Cookie": false, "X-Token": false, "Content-Type": false} {
		if Forbidden(name) != want {
			t.Errorf("%q: %v", name, !want)
		}
	}
}
