package adminapi

import "net/http"

func (a *API) registerSimOA(mux *http.ServeMux) {}
