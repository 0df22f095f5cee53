package wire

import "net/http"

func (a *API) registerOAUsers(mux *http.ServeMux) {}
