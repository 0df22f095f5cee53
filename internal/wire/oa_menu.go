package wire

import "net/http"

func (a *API) registerOAMenus(mux *http.ServeMux) {}
