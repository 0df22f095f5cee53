package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/input"
	"superapp/internal/nearby"
)

// Nearby mini programs (wechat-api.md §5.4, platform-rules.md §3.8).
// Errcodes and messages are WeChat's documented ones (92000–93014); bad
// fields are 40097 with the field named, since WeChat documents no code.
var (
	errNearbyAlreadyAdded = &Error{92000, "poi has been added"}
	errNearbyQuota        = &Error{92002, "nearby poi quota reached"}
	errNearbyPlaceTaken   = &Error{92003, "poi is used by other mini program"}
	errNearbyInReview     = &Error{92005, "poi is being audited"}
	errNearbyAuditFailed  = &Error{92007, "poi audit failed"}
	errNearbyPOINotFound  = &Error{93010, "poi not exist"}
	errNearbyIndividual   = &Error{93011, "personal mini program is not allowed"}
)

func (a *API) registerMPNearby(mux *http.ServeMux) {
	mux.HandleFunc("/wxa/addnearbypoi", a.postAuthed(a.nearbyAdd))
	// WeChat's older documentation has this one as a GET with a query.
	mux.HandleFunc("/wxa/getnearbypoilist", a.authed(a.nearbyList))
	mux.HandleFunc("/wxa/delnearbypoi", a.postAuthed(a.nearbyDelete))
	mux.HandleFunc("/wxa/setnearbypoishowstatus", a.postAuthed(a.nearbyShowStatus))
}

var nearbyErrors = domainErrors{
	{nearby.ErrAlreadyAdded, errNearbyAlreadyAdded},
	{nearby.ErrQuotaReached, errNearbyQuota},
	{nearby.ErrPlaceTaken, errNearbyPlaceTaken},
	{nearby.ErrInReview, errNearbyInReview},
	{nearby.ErrAuditFailed, errNearbyAuditFailed},
	{nearby.ErrPOINotFound, errNearbyPOINotFound},
	{nearby.ErrIndividual, errNearbyIndividual},
	{nearby.ErrNotMiniProgram, ErrAPIUnauthorized},
}

func nearbyError(err error) error {
	if e := nearbyErrors.mapped(err); e != nil {
		return e
	}
	var ie *input.Error
	if errors.As(err, &ie) {
		return ErrInvalidParameter.With(", " + ie.Error())
	}
	return err
}

// flexText is a field WeChat carries as a string holding JSON (pic_list,
// service_infos, kf_info): SDKs send the string, some send the object; an
// object is kept as its compact JSON text.
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*f = flexText(buf.String())
	case string(b) == "true" || string(b) == "false": // e.g. is_comm_nearby
		*f = flexText(b)
	default: // null, a string or a number: as flexString takes them
		var s flexString
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		*f = flexText(s)
	}
	return nil
}

// flexFloat is a coordinate sent as a JSON number or a numeric string; nil
// when absent.
type flexFloat struct{ v *float64 }

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	f.v = &v
	return nil
}

// POST /wxa/addnearbypoi → {"data":{"audit_id","poi_id","related_credential"}}
func (a *API) nearbyAdd(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	var req struct {
		IsCommNearby      flexText  `json:"is_comm_nearby"`
		KFInfo            flexText  `json:"kf_info"`
		PicList           flexText  `json:"pic_list"`
		ServiceInfos      flexText  `json:"service_infos"`
		StoreName         flexText  `json:"store_name"`
		Hour              flexText  `json:"hour"`
		Address           flexText  `json:"address"`
		CompanyName       flexText  `json:"company_name"`
		ContractPhone     flexText  `json:"contract_phone"`
		Credential        flexText  `json:"credential"`
		QualificationList flexText  `json:"qualification_list"`
		MapPoiID          flexText  `json:"map_poi_id"`
		Latitude          flexFloat `json:"latitude"`
		Longitude         flexFloat `json:"longitude"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	p, err := a.p.Nearby.Add(ctx(r), app, nearby.POIInput{
		StoreName: string(req.StoreName), Address: string(req.Address), Hour: string(req.Hour), CompanyName: string(req.CompanyName),
		ContractPhone: string(req.ContractPhone), Credential: string(req.Credential), QualificationList: string(req.QualificationList),
		MapPoiID: string(req.MapPoiID), KFInfo: string(req.KFInfo), PicList: string(req.PicList), ServiceInfos: string(req.ServiceInfos),
		IsCommNearby: string(req.IsCommNearby), Latitude: req.Latitude.v, Longitude: req.Longitude.v,
	})
	if err != nil {
		return nil, nearbyError(err)
	}
	type data struct {
		AuditID           string `json:"audit_id"`
		PoiID             string `json:"poi_id"`
		RelatedCredential string `json:"related_credential"`
	}
	return struct {
		ErrorBody
		Data data `json:"data"`
	}{OK(), data{p.AuditID, strconv.FormatInt(p.ID, 10), p.Credential}}, nil
}

// nearbyPOIItem is one entry of getnearbypoilist's inner poi_list, WeChat's
// fields plus ours (store_name, latitude, longitude).
type nearbyPOIItem struct {
	PoiID                string  `json:"poi_id"`
	QualificationAddress string  `json:"qualification_address"`
	QualificationNum     string  `json:"qualification_num"`
	AuditStatus          int     `json:"audit_status"`
	DisplayStatus        int     `json:"display_status"`
	RefuseReason         string  `json:"refuse_reason"`
	StoreName            string  `json:"store_name"`
	Latitude             float64 `json:"latitude"`
	Longitude            float64 `json:"longitude"`
}

// POST /wxa/getnearbypoilist {"page":1,"page_rows":20} (or GET ?page=&page_rows=)
// → {"data":{"left_apply_num","max_apply_num","data":"{\"poi_list\":[…]}"}}:
// the inner data is a JSON string, as WeChat sends it.
func (a *API) nearbyList(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	req := struct {
		Page     flexID `json:"page"`
		PageRows flexID `json:"page_rows"`
	}{Page: 1, PageRows: 20}
	if r.Method == http.MethodPost {
		if err := DecodeJSON(r, &req); err != nil {
			return nil, err
		}
	} else {
		q := r.URL.Query()
		for _, f := range []struct {
			name string
			dst  *flexID
		}{{"page", &req.Page}, {"page_rows", &req.PageRows}} {
			if v := q.Get(f.name); v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, ErrInvalidParameter.With(", " + f.name + ": must be a number")
				}
				*f.dst = flexID(n)
			}
		}
	}
	page, err := a.p.Nearby.List(ctx(r), app.AppID, int(req.Page), int(req.PageRows))
	if err != nil {
		return nil, nearbyError(err)
	}
	list := struct {
		POIList []nearbyPOIItem `json:"poi_list"`
	}{POIList: make([]nearbyPOIItem, 0, len(page.POIs))}
	for _, p := range page.POIs {
		list.POIList = append(list.POIList, nearbyPOIItem{
			PoiID: strconv.FormatInt(p.ID, 10), QualificationAddress: p.Address, QualificationNum: p.Credential,
			AuditStatus: p.AuditStatus, DisplayStatus: p.DisplayStatus, RefuseReason: p.RefuseReason,
			StoreName: p.StoreName, Latitude: p.Latitude, Longitude: p.Longitude,
		})
	}
	inner, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	type data struct {
		LeftApplyNum int    `json:"left_apply_num"`
		MaxApplyNum  int    `json:"max_apply_num"`
		Data         string `json:"data"`
	}
	return struct {
		ErrorBody
		Data data `json:"data"`
	}{OK(), data{page.LeftApplyNum, page.MaxApplyNum, string(inner)}}, nil
}

// poiID reads poi_id, which SDKs send as a string (WeChat's type) or a number.
func poiID(v flexID) (int64, error) {
	if v <= 0 {
		return 0, ErrInvalidParameter.With(", poi_id: is required")
	}
	return int64(v), nil
}

// POST /wxa/delnearbypoi {"poi_id"}
func (a *API) nearbyDelete(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	var req struct {
		PoiID flexID `json:"poi_id"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	id, err := poiID(req.PoiID)
	if err != nil {
		return nil, err
	}
	if err := a.p.Nearby.Delete(ctx(r), app.AppID, id); err != nil {
		return nil, nearbyError(err)
	}
	return OK(), nil
}

// POST /wxa/setnearbypoishowstatus {"poi_id","status":0|1}
func (a *API) nearbyShowStatus(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := requireKind(app, account.MiniProgram); err != nil {
		return nil, err
	}
	var req struct {
		PoiID  flexID  `json:"poi_id"`
		Status *flexID `json:"status"`
	}
	if err := DecodeJSON(r, &req); err != nil {
		return nil, err
	}
	id, err := poiID(req.PoiID)
	if err != nil {
		return nil, err
	}
	if req.Status == nil {
		return nil, ErrInvalidParameter.With(", status: is required (0 hide, 1 show)")
	}
	if _, err := a.p.Nearby.SetDisplay(ctx(r), app.AppID, id, int(*req.Status)); err != nil {
		return nil, nearbyError(err)
	}
	return OK(), nil
}
