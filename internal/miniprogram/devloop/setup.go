package devloop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/miniprogram/project"
	"superapp/internal/platform"
	"superapp/internal/random"
)

// ProjectInfo is what the loop reads from a project before building it.
type ProjectInfo struct {
	// AppID is project.config.json's appid ("" when absent).
	AppID string
	// Name is a name for the app: projectname, else app.json's navigation
	// bar title, else the directory's name.
	Name string
}

// ReadProject reads dir's appid and name without building it: the loop
// must start even when the project does not compile.
func ReadProject(dir string) ProjectInfo {
	cfg, _ := project.ReadConfig(dir) // what could be read; the build reports the rest
	info := ProjectInfo{AppID: cfg.AppID, Name: cfg.ProjectName}
	if info.Name == "" {
		var app struct {
			Window struct {
				Title string `json:"navigationBarTitleText"`
			} `json:"window"`
		}
		if src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(cfg.MiniprogramRoot), "app.json")); err == nil {
			json.Unmarshal(src, &app)
		}
		info.Name = strings.TrimSpace(app.Window.Title)
	}
	if info.Name == "" {
		info.Name = filepath.Base(dir)
	}
	if r := []rune(info.Name); len(r) > 30 { // account names have at most 30 characters
		info.Name = string(r[:30])
	}
	return info
}

// EnsureApp returns the mini program the project is developed as. An
// appid of this platform that names a mini program is used as it is. Any
// other (a WeChat appid, "touristappid", none) gets a mini program of the
// platform's own, created once under the default subject and remembered
// for that appid in the database's settings, so a kept --data directory
// keeps the same app and URL across runs.
func EnsureApp(ctx context.Context, p *platform.Platform, projectAppID, name string) (*account.App, error) {
	if account.ValidAppID(projectAppID) {
		app, err := p.Accounts.App(ctx, projectAppID)
		switch {
		case err == nil && app.Kind == account.MiniProgram:
			return app, nil
		case err == nil:
			return nil, fmt.Errorf("appid %s is a %s on this server, not a mini program", projectAppID, app.Kind)
		case !errors.Is(err, account.ErrAppNotFound):
			return nil, err
		}
	}
	key := "devloop.app." + projectAppID
	if projectAppID == "" {
		key = "devloop.app.-"
	}
	known, err := p.DB.Setting(ctx, key, func() string { return "" })
	if err != nil {
		return nil, err
	}
	if known != "" {
		if app, err := p.Accounts.App(ctx, known); err == nil && app.Kind == account.MiniProgram {
			return app, nil
		}
	}
	if _, err := p.Accounts.DefaultSubject(ctx); err != nil {
		return nil, err
	}
	app, _, err := p.Accounts.CreateApp(ctx, account.MiniProgram, name, "")
	if err != nil {
		return nil, err
	}
	return app, p.DB.SetSetting(ctx, key, app.AppID)
}

// TestUser is the developer's sign-in for the shell.
type TestUser struct {
	User     *identity.User
	Phone    string
	Password string
}

// EnsureTestUser returns the test user named name, creating it once with a
// phone number. The database's settings remember only its id and phone:
// the password is made afresh on every run and exists only in the
// returned TestUser (printed to the developer), never in the database.
func EnsureTestUser(ctx context.Context, p *platform.Platform, name string) (*TestUser, error) {
	key := "devloop.user." + name
	var saved struct {
		ID    string `json:"id"`
		Phone string `json:"phone"`
	}
	raw, err := p.DB.Setting(ctx, key, func() string { return "" })
	if err != nil {
		return nil, err
	}
	password := random.Hex(6)
	if raw != "" && json.Unmarshal([]byte(raw), &saved) == nil {
		if u, err := p.Identity.User(ctx, saved.ID); err == nil && u.Phone == saved.Phone {
			if err := p.Identity.SetPassword(ctx, u.ID, password); err != nil {
				return nil, err
			}
			return &TestUser{User: u, Phone: saved.Phone, Password: password}, nil
		}
	}
	var u *identity.User
	for range 5 { // a made-up number may be taken
		saved.Phone = fmt.Sprintf("1%010d", rand.Int64N(1e10))
		u, err = p.Identity.CreateUser(ctx, identity.NewUser{Name: name, Phone: saved.Phone, Password: password, TestUser: true})
		if !errors.Is(err, identity.ErrPhoneTaken) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	saved.ID = u.ID
	b, _ := json.Marshal(saved)
	return &TestUser{User: u, Phone: saved.Phone, Password: password}, p.DB.SetSetting(ctx, key, string(b))
}
