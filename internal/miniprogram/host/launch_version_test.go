package host_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/miniprogram/host"
	"superapp/internal/release"
)

// uploadVersion stores a build's files and records it as a dev version, as
// the upload API does.
func (w *world) uploadVersion(t *testing.T, label string) *release.Version {
	t.Helper()
	ctx := context.Background()
	res := build(w.app.AppID, map[string]string{"service.js": "define('app.js', function(){ /* " + label + " */ })"})
	for h, data := range res.Files {
		if _, err := w.p.MiniPrograms.PutFile(ctx, h, data); err != nil {
			t.Fatal(err)
		}
	}
	v, err := w.p.Releases.AddDevVersion(ctx, w.app.AppID, release.DevVersionInput{Uploader: "key:k1", UserVersion: label,
		Manifest: res.ManifestJSON, ManifestHash: host.HashOf(res.ManifestJSON), Pages: []string{"pages/index/index"}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLaunchResolvesTheUsersVersion(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rel := w.p.Releases
	w.publish(t, map[string]string{"service.js": "dev build"})

	// Nothing released: the dev-mode build, as in issue 4.
	var launch host.LaunchAnswer
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch", nil, &launch); status != 200 {
		t.Fatalf("launch: %d %s", status, raw)
	}
	if launch.Version == nil || launch.Version.Channel != host.ChannelDevBuild || launch.Version.ID != 0 {
		t.Fatalf("version of the dev-mode build: %+v", launch.Version)
	}

	v1 := w.uploadVersion(t, "1.0.0")
	if _, err := rel.Commit(ctx, w.app.AppID, release.CommitInput{VersionID: v1.ID, ExtJSON: `{"ext":{"shop":7}}`}); err != nil {
		t.Fatal(err)
	}
	// A trial version exists, but trial is for members only.
	status, raw := w.shell(t, "GET", w.app.AppID+"/launch?env_version=trial", nil, nil)
	if status != 403 || !strings.Contains(raw, `"code":"not_member"`) {
		t.Fatalf("trial for a non-member: %d %s", status, raw)
	}
	status, raw = w.shell(t, "GET", w.app.AppID+"/launch?env_version=beta", nil, nil)
	if status != 400 || !strings.Contains(raw, `"field":"env_version"`) {
		t.Fatalf("unknown env_version: %d %s", status, raw)
	}
	if err := rel.AddMember(ctx, w.app.AppID, w.user.ID, release.RoleTrial); err != nil {
		t.Fatal(err)
	}
	launch = host.LaunchAnswer{}
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch?env_version=trial", nil, &launch); status != 200 {
		t.Fatalf("trial launch: %d %s", status, raw)
	}
	if launch.Version.Channel != release.ChannelTrial || launch.Version.ID != v1.ID || launch.Build.ManifestHash != v1.ManifestHash ||
		string(launch.ExtConfig) != `{"ext":{"shop":7}}` || launch.Version.UserVersion != "1.0.0" {
		t.Fatalf("trial launch: %+v %+v %s", launch.Version, launch.Build, launch.ExtConfig)
	}
	var m struct {
		Packages []struct{ Files map[string]string }
	}
	if err := json.Unmarshal(launch.Manifest, &m); err != nil || len(m.Packages) != 1 || len(m.Packages[0].Files) != 1 {
		t.Fatalf("trial manifest: %s %v", launch.Manifest, err)
	}
	// Still the dev-mode build for the released channel.
	launch = host.LaunchAnswer{}
	w.shell(t, "GET", w.app.AppID+"/launch", nil, &launch)
	if launch.Version.Channel != host.ChannelDevBuild {
		t.Fatalf("release env before a release: %+v", launch.Version)
	}

	a, err := rel.SubmitAudit(ctx, w.app.AppID, release.SubmitInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rel.Approve(ctx, a.ID, "op"); err != nil {
		t.Fatal(err)
	}
	if _, err := rel.Release(ctx, w.app.AppID); err != nil {
		t.Fatal(err)
	}
	launch = host.LaunchAnswer{}
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch?env_version=release", nil, &launch); status != 200 {
		t.Fatalf("release launch: %d %s", status, raw)
	}
	if launch.Version.Channel != release.ChannelOnline || launch.Version.ID != v1.ID || launch.Build.ManifestHash != v1.ManifestHash || launch.Build.Files != 1 ||
		launch.Version.UserVersion != "1.0.0" {
		t.Fatalf("online launch: %+v %+v", launch.Version, launch.Build)
	}

	// develop is for project members; with nothing newer it is version 1.
	status, raw = w.shell(t, "GET", w.app.AppID+"/launch?env_version=develop", nil, nil)
	if status != 403 || !strings.Contains(raw, "not_member") {
		t.Fatalf("develop for a trial member: %d %s", status, raw)
	}
	if err := rel.AddMember(ctx, w.app.AppID, w.user.ID, release.RoleProject); err != nil {
		t.Fatal(err)
	}
	v2 := w.uploadVersion(t, "2.0.0-dev")
	launch = host.LaunchAnswer{}
	if status, raw := w.shell(t, "GET", w.app.AppID+"/launch?env_version=develop", nil, &launch); status != 200 {
		t.Fatalf("develop launch: %d %s", status, raw)
	}
	if launch.Version.Channel != release.ChannelDevelop || launch.Version.ID != v2.ID {
		t.Fatalf("develop launch: %+v", launch.Version)
	}
}
