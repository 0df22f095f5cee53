package store

import (
	"context"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://bob:hunter2@db:5432/app":                 "postgres://bob:xxxxx@db:5432/app",
		"postgres://bob@db/app?password=hunter2&sslmode=off": "postgres://bob@db/app?password=xxxxx&sslmode=off",
		"postgres://db/app":                                  "postgres://db/app",
	} {
		if got := RedactURL(in); got != want || strings.Contains(got, "hunter2") {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	_, err := Open(context.Background(), Config{DatabaseURL: "host=db password=hunter2"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("a key=value setting: %v", err)
	}
}
