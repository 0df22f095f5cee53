package wire

import "net/http"

func (a *API) registerOAQRCodes(mux *http.ServeMux) {}
