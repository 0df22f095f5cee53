package adminapi

// The operator's side of nearby POIs (`superapp nearby …`): under the
// policy nearby.manual_audit, POIs added with /wxa/addnearbypoi wait in
// review (audit_status 3) until the operator approves or rejects them.
// Rules live in internal/nearby.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/nearby"
)

// nearbyReviewLimit is how many POIs GET /admin/v1/nearby/reviews lists
// when the request names no limit.
const nearbyReviewLimit = 100

func (a *API) registerNearby(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/v1/nearby/reviews", a.operator(a.nearbyReviews))
	mux.HandleFunc("POST /admin/v1/nearby/pois/{id}/approve", a.operator(a.nearbyApprove))
	mux.HandleFunc("POST /admin/v1/nearby/pois/{id}/reject", a.operator(a.nearbyReject))
}

// nearbyProblem maps the nearby domain's errors to answers.
func nearbyProblem(err error) error {
	switch {
	case errors.Is(err, nearby.ErrPOINotFound):
		return notFound(err.Error())
	case errors.Is(err, nearby.ErrNotInReview):
		return &Problem{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	}
	return err
}

// nearbyPOIID reads the {id} path segment.
func nearbyPOIID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("poi_id", "must be a positive integer (see `superapp nearby reviews`)")
	}
	return id, nil
}

// NearbyReviewItem is a POI as the operator reviews it: everything the
// developer sent, with the app's name and when it was submitted.
type NearbyReviewItem struct {
	nearby.POI
	AppName     string `json:"app_name"`
	SubmittedAt int64  `json:"submitted_at"`
}

// NearbyReviews is the queue: the oldest POIs in review, and how many
// wait in all.
type NearbyReviews struct {
	Total int                `json:"total"`
	POIs  []NearbyReviewItem `json:"pois"`
}

// nearbyItems adds app names, looking each app up once.
func (a *API) nearbyItems(r *http.Request, pois ...nearby.POI) []NearbyReviewItem {
	names := map[string]string{}
	out := make([]NearbyReviewItem, 0, len(pois))
	for _, p := range pois {
		name, ok := names[p.AppID]
		if !ok {
			if app, err := a.p.Accounts.App(r.Context(), p.AppID); err == nil {
				name = app.Name
			}
			names[p.AppID] = name
		}
		out = append(out, NearbyReviewItem{POI: p, AppName: name, SubmittedAt: p.CreatedAt})
	}
	return out
}

// GET /admin/v1/nearby/reviews[?limit=N] → the POIs in review, oldest
// first (at most limit, 100 unless given), and the total.
func (a *API) nearbyReviews(r *http.Request) (any, error) {
	limit := nearbyReviewLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > nearby.MaxInReview {
			return nil, badRequest("limit", fmt.Sprintf("must be an integer between 1 and %d", nearby.MaxInReview))
		}
		limit = n
	}
	pois, total, err := a.p.Nearby.InReview(r.Context(), limit)
	if err != nil {
		return nil, nearbyProblem(err)
	}
	return NearbyReviews{Total: total, POIs: a.nearbyItems(r, pois...)}, nil
}

// POST /admin/v1/nearby/pois/{id}/approve → the POI, approved and shown.
func (a *API) nearbyApprove(r *http.Request) (any, error) {
	id, err := nearbyPOIID(r)
	if err != nil {
		return nil, err
	}
	if err := decode(r, &struct{}{}); err != nil {
		return nil, err
	}
	p, err := a.p.Nearby.Decide(r.Context(), id, true, "")
	if err != nil {
		return nil, nearbyProblem(err)
	}
	return a.nearbyItems(r, *p)[0], nil
}

// NearbyRejectRequest says why a POI is rejected; the developer reads it
// as refuse_reason in /wxa/getnearbypoilist.
type NearbyRejectRequest struct {
	Reason string `json:"reason"`
}

// POST /admin/v1/nearby/pois/{id}/reject {"reason"} → the POI, rejected.
func (a *API) nearbyReject(r *http.Request) (any, error) {
	id, err := nearbyPOIID(r)
	if err != nil {
		return nil, err
	}
	var req NearbyRejectRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return nil, badRequest("reason", "is required: say why the POI is rejected (the developer reads it as refuse_reason)")
	}
	p, err := a.p.Nearby.Decide(r.Context(), id, false, req.Reason)
	if err != nil {
		return nil, nearbyProblem(err)
	}
	return a.nearbyItems(r, *p)[0], nil
}
