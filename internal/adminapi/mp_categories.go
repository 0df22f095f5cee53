package adminapi

// Mini program service categories and subjects' qualifications: what the
// automated review checks a version's content against.

import (
	"errors"
	"net/http"
	"strings"

	"superapp/internal/account"
)

func (a *API) registerMPCategories(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/v1/categories", a.operator(a.categoryTaxonomy))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram/categories", a.operator(a.mpCategories))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/miniprogram/categories", a.operator(a.mpSetCategories))
	mux.HandleFunc("GET /admin/v1/subjects/{id}/qualifications", a.operator(a.qualifications))
	mux.HandleFunc("POST /admin/v1/subjects/{id}/qualifications", a.operator(a.addQualification))
	mux.HandleFunc("DELETE /admin/v1/subjects/{id}/qualifications/{name}", a.operator(a.removeQualification))
}

func (a *API) categoryTaxonomy(r *http.Request) (any, error) {
	return map[string]any{"categories": account.Categories}, nil
}

func (a *API) mpCategories(r *http.Request) (any, error) {
	list, err := a.p.Accounts.AppCategories(r.Context(), r.PathValue("appid"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"categories": list}, nil
}

type setCategoriesRequest struct {
	// Categories as "first class/second class", e.g. "工具/效率".
	Categories []string `json:"categories"`
}

func (a *API) mpSetCategories(r *http.Request) (any, error) {
	var req setCategoriesRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	ids := make([][2]int64, 0, len(req.Categories))
	for _, name := range req.Categories {
		c, ok := account.CategoryByName(name)
		if !ok {
			return nil, badRequest("categories", "unknown category "+quoteName(name)+`: give "first class/second class" as GET /admin/v1/categories lists them`)
		}
		ids = append(ids, [2]int64{c.FirstID, c.SecondID})
	}
	appid := r.PathValue("appid")
	if err := a.p.Accounts.SetAppCategories(r.Context(), appid, ids); err != nil {
		if errors.Is(err, account.ErrCategoryNotForIndividuals) || errors.Is(err, account.ErrUnknownCategory) {
			return nil, badRequest("categories", err.Error())
		}
		return nil, err
	}
	return a.mpCategories(r)
}

func (a *API) qualifications(r *http.Request) (any, error) {
	id := r.PathValue("id")
	if _, err := a.p.Accounts.Subject(r.Context(), id); err != nil {
		return nil, err
	}
	list, err := a.p.Accounts.Qualifications(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"subject_id": id, "qualifications": list}, nil
}

type qualificationRequest struct {
	Name string `json:"name"`
}

func (a *API) addQualification(r *http.Request) (any, error) {
	var req qualificationRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := a.p.Accounts.AddQualification(r.Context(), r.PathValue("id"), req.Name); err != nil {
		return nil, err
	}
	return a.qualifications(r)
}

func (a *API) removeQualification(r *http.Request) (any, error) {
	if err := a.p.Accounts.RemoveQualification(r.Context(), r.PathValue("id"), r.PathValue("name")); err != nil {
		return nil, err
	}
	return a.qualifications(r)
}

func quoteName(s string) string { return "\u201c" + strings.TrimSpace(s) + "\u201d" }
