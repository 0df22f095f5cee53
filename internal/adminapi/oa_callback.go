package adminapi

import "net/http"

func (a *API) registerOACallbacks(mux *http.ServeMux) {}
