package wire

import (
	"net/http"

	"superapp/internal/account"
)

// registerMPCategory adds /wxa/get_category: the mini program's service
// categories, which the operator sets (`superapp mp categories set`) and
// submit_audit's item_list names.
func (a *API) registerMPCategory(mux *http.ServeMux) {
	mux.HandleFunc("/wxa/get_category", a.authed(a.getCategory))
}

type categoryItem struct {
	FirstClass  string `json:"first_class"`
	SecondClass string `json:"second_class"`
	ThirdClass  string `json:"third_class"`
	FirstID     int64  `json:"first_id"`
	SecondID    int64  `json:"second_id"`
	ThirdID     int64  `json:"third_id"`
}

// GET /wxa/get_category → {"errcode":0,"errmsg":"ok","category_list":[…]}
func (a *API) getCategory(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := miniProgramOnly(app); err != nil {
		return nil, err
	}
	cats, err := a.p.Accounts.AppCategories(ctx(r), app.AppID)
	if err != nil {
		return nil, err
	}
	list := make([]categoryItem, 0, len(cats))
	for _, c := range cats {
		list = append(list, categoryItem{FirstClass: c.First, SecondClass: c.Second, FirstID: c.FirstID, SecondID: c.SecondID})
	}
	return struct {
		ErrorBody
		CategoryList []categoryItem `json:"category_list"`
	}{OK(), list}, nil
}
