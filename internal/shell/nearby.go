package shell

// "Mini programs nearby" (Discover): the displayed, approved POIs within
// the nearby policy's radius of where the browser says the user is,
// nearest first, a page at a time (internal/nearby).

import (
	"errors"
	"net/http"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/identity"
	"superapp/internal/nearby"
)

// nearbyPageSize is the page the shell asks for when it names none.
const nearbyPageSize = 20

func (s *Shell) registerNearby(mux *http.ServeMux) {
	mux.HandleFunc("/shell/api/nearby", s.nearbyEndpoint)
}

// nearbyItem is one mini program on the nearby list.
type nearbyItem struct {
	AppID     string `json:"appid"`
	Name      string `json:"name"`
	PoiID     int64  `json:"poi_id"`
	StoreName string `json:"store_name"`
	Address   string `json:"address"`
	Distance  int64  `json:"distance"` // meters
}

// GET /shell/api/nearby?latitude=&longitude=&page=&page_size=
// → {"items":[…],"has_more":bool,"radius":meters}
func (s *Shell) nearbyEndpoint(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "", "%s is not allowed here.", r.Method))
		return
	}
	body, err := s.nearby(r)
	if err != nil {
		// Bad coordinates or paging are input errors naming the field.
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Shell) nearby(r *http.Request) (any, error) {
	if _, err := s.currentUser(r); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	number := func(name string) (float64, error) {
		v := q.Get(name)
		if v == "" {
			return 0, &identity.InputError{Field: name, Msg: "is required"}
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, &identity.InputError{Field: name, Msg: "must be a number"}
		}
		return f, nil
	}
	lat, err := number("latitude")
	if err != nil {
		return nil, err
	}
	lng, err := number("longitude")
	if err != nil {
		return nil, err
	}
	whole := func(name string, def int) (int, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, &identity.InputError{Field: name, Msg: "must be a whole number"}
		}
		return n, nil
	}
	page, err := whole("page", 1)
	if err != nil {
		return nil, err
	}
	size, err := whole("page_size", nearbyPageSize)
	if err != nil {
		return nil, err
	}
	res, err := s.p.Nearby.Nearby(nearby.Query{Latitude: lat, Longitude: lng, Page: page, PageSize: size})
	if err != nil {
		return nil, err
	}
	items := make([]nearbyItem, 0, len(res.Items))
	for _, it := range res.Items {
		app, err := s.p.Accounts.App(r.Context(), it.AppID)
		if errors.Is(err, account.ErrAppNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		items = append(items, nearbyItem{AppID: it.AppID, Name: app.Name, PoiID: it.PoiID, StoreName: it.StoreName, Address: it.Address, Distance: it.Distance})
	}
	return map[string]any{"items": items, "has_more": res.HasMore, "radius": s.p.Nearby.Policy().Radius}, nil
}
