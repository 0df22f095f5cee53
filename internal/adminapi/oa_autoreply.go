package adminapi

import "net/http"

func (a *API) registerOAAutoReplies(mux *http.ServeMux) {}
