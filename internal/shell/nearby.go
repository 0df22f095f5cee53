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
	number := func(name string, def float64) (float64, error) {
		v := q.Get(name)
		if v == "" {
			if def < 0 {
				return 0, &identity.InputError{Field: name, Msg: "is required"}
			}
			return def, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, &identity.InputError{Field: name, Msg: "must be a number"}
		}
		return f, nil
	}
	lat, err := number("latitude", -1)
	if err != nil {
		return nil, err
	}
	lng, err := number("longitude", -1)
	if err != nil {
		return nil, err
	}
	page, err := number("page", 1)
	if err != nil {
		return nil, err
	}
	size, err := number("page_size", nearbyPageSize)
	if err != nil {
		return nil, err
	}
	res, err := s.p.Nearby.Nearby(nearby.Query{Latitude: lat, Longitude: lng, Page: int(page), PageSize: int(size)})
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
