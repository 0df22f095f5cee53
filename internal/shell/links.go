package shell

// Mini program codes and links as the user meets them: the address inside
// a code (/mpcode/<appid>?…), a URL link (/wxaurl/<ticket>), and what the
// scan page read (GET /shell/api/mplink?text=&via=). Each becomes the
// shell's launch URL, /miniprogram/<appid>?path=&query=&scene=&env_version=,
// with WeChat's scene for how it was opened (internal/wxacode).

import (
	"errors"
	"log/slog"
	"net/http"

	"superapp/internal/account"
	"superapp/internal/wxacode"
)

func (s *Shell) registerLinks(mux *http.ServeMux) {
	mux.HandleFunc("GET /mpcode/{appid}", s.codeLanding)
	mux.HandleFunc("GET /wxaurl/{ticket}", s.urlLinkLanding)
	mux.HandleFunc("GET /shell/api/mplink", s.resolveLink)
}

// codeLanding is GET /mpcode/{appid}: opening a code's address is scanning
// it with the camera (scene 1047). The shell asks signed-out visitors to
// sign in on the launch page itself.
func (s *Shell) codeLanding(w http.ResponseWriter, r *http.Request) {
	l, err := s.p.Codes.CodeLaunch(r.Context(), r.PathValue("appid"), r.URL.Query(), wxacode.ViaCamera)
	s.land(w, r, l, err)
}

// urlLinkLanding is GET /wxaurl/{ticket}: a URL link (scene 1194).
func (s *Shell) urlLinkLanding(w http.ResponseWriter, r *http.Request) {
	l, err := s.p.Codes.LinkLaunch(r.Context(), wxacode.LinkURL, r.PathValue("ticket"))
	s.land(w, r, l, err)
}

func (s *Shell) land(w http.ResponseWriter, r *http.Request, l *wxacode.Launch, err error) {
	switch {
	case err == nil:
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, l.URL, http.StatusSeeOther)
	case errors.Is(err, wxacode.ErrLinkExpired):
		s.messagePage(w, r, http.StatusGone, "This link has expired", "Ask whoever shared it for a new one.")
	case errors.Is(err, wxacode.ErrLinkNotFound), errors.Is(err, wxacode.ErrNotALink),
		errors.Is(err, account.ErrAppNotFound), errors.Is(err, wxacode.ErrNotMiniProgram):
		s.messagePage(w, r, http.StatusNotFound, "This code or link is not valid", "It does not open any mini program on this server.")
	default:
		slog.Error("shell mini program link", "path", r.URL.Path, "err", err)
		s.messagePage(w, r, http.StatusInternalServerError, "Something went wrong", "The server could not open this link. Try again later.")
	}
}

// resolveLink is GET /shell/api/mplink?text=&via=camera|album|longpress:
// what opening text does (a wxacode.Launch), for the scan page and
// `superapp sim scan`. It needs no session: the text is the credential,
// and the answer says no more than opening the link would.
func (s *Shell) resolveLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	via := q.Get("via")
	switch via {
	case "", wxacode.ViaCamera, wxacode.ViaAlbum, wxacode.ViaLongPress:
	default:
		writeError(w, r, errorf(http.StatusBadRequest, "invalid_input", "via", "via must be camera, album or longpress."))
		return
	}
	l, err := s.p.Codes.Resolve(r.Context(), q.Get("text"), via)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, l)
	case errors.Is(err, wxacode.ErrLinkExpired):
		writeError(w, r, errorf(http.StatusGone, "expired", "text", "This link has expired. Ask whoever shared it for a new one."))
	case errors.Is(err, wxacode.ErrNotALink):
		writeError(w, r, errorf(http.StatusBadRequest, "not_a_link", "text", "This is not a mini program code or link."))
	case errors.Is(err, wxacode.ErrLinkNotFound), errors.Is(err, account.ErrAppNotFound), errors.Is(err, wxacode.ErrNotMiniProgram):
		writeError(w, r, errorf(http.StatusNotFound, "not_found", "text", "This code or link does not open any mini program on this server."))
	default:
		writeError(w, r, err)
	}
}
