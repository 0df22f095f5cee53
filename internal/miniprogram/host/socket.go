package host

// wx.connectSocket's relay (internal/miniprogram/socketproxy) mounted at
// GET /shell/api/mp/{appid}/socket. The shell's page opens the WebSocket
// with the user's session cookie; the relay asks allowSocket before it
// dials the developer's server.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"superapp/internal/input"
	"superapp/internal/miniprogram/socketproxy"
)

// socketPattern is more specific than "/shell/api/mp/", so the mux sends
// the upgrade here rather than to the JSON API.
const socketPattern = "GET /shell/api/mp/{appid}/socket"

func (h *Handler) socketRelay() http.Handler {
	return socketproxy.New(socketproxy.Options{
		Allow: h.allowSocket,
		User: func(r *http.Request) string {
			if u, err := h.currentUser(r); err == nil {
				return u.ID
			}
			return "" // allowSocket refuses it
		},
		AllowPrivate: h.cfg.AllowPrivate || h.cfg.Dev,
	})
}

// allowSocket lets the signed-in user open target for appid when appid is
// a mini program and target is wss:// on one of its socket domains (dev
// mode: any host, ws:// too, as WeChat's developer tools without domain
// checks). The error texts are what SocketTask.onError reports.
func (h *Handler) allowSocket(r *http.Request, appid string, target *url.URL) error {
	if _, err := h.currentUser(r); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return errors.New("not signed in to the shell")
		}
		return fmt.Errorf("cannot check the session")
	}
	if !input.Storable(appid) {
		return errors.New("no such mini program")
	}
	if _, err := h.cfg.Registry.MiniProgram(r.Context(), appid); err != nil {
		return errors.New("no such mini program")
	}
	if h.cfg.Dev {
		return nil
	}
	if target.Scheme != "wss" {
		return errors.New("url not in domain list: sockets must use wss://")
	}
	d, err := h.cfg.Registry.Domains(r.Context(), appid)
	if err != nil {
		return fmt.Errorf("cannot read the server domains")
	}
	if !d.allows(DomainSocket, target) {
		return errors.New("url not in domain list")
	}
	return nil
}
