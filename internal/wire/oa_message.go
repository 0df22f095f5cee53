package wire

import "net/http"

func (a *API) registerOAMessages(mux *http.ServeMux) {}
