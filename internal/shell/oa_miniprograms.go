package shell

import (
	"net/http"

	"superapp/internal/identity"
)

// profileMiniProgram is one entry of an account's "Associated mini
// programs" list; the page opens it with scene 1020 (OA profile).
type profileMiniProgram struct {
	AppID string `json:"appid"`
	Name  string `json:"name"`
}

// GET /shell/api/oa/{appid}/miniprograms: the mini programs the account
// shows on its profile (confirmed links with show_profile). Anyone signed
// in may read them, as anyone may see a profile.
func (s *Shell) oaMiniPrograms(r *http.Request, _ *identity.User, appid string) (any, error) {
	links, err := s.p.OA.ProfileMiniPrograms(r.Context(), appid)
	if err != nil {
		return nil, err
	}
	out := make([]profileMiniProgram, len(links))
	for i, l := range links {
		out[i] = profileMiniProgram{AppID: l.AppID, Name: l.Name}
	}
	return map[string]any{"miniprograms": out}, nil
}
