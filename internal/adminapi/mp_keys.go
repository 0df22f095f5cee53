package adminapi

// Mini program upload keys (WeChat's 代码上传密钥): the operator creates,
// rotates, shows and revokes an app's key. `superapp mp key create` makes
// the Ed25519 key pair on the operator's machine and sends only the public
// half, so the private key never crosses the network or reaches the server.

import (
	"errors"
	"net/http"

	"superapp/internal/miniprogram/upload"
)

// registerMPKeys adds the upload-key routes (Register calls it).
func (a *API) registerMPKeys(mux *http.ServeMux) {
	keys := upload.NewKeys(a.p.DB, a.p.MiniPrograms)
	const base = "/admin/v1/apps/{appid}/miniprogram/upload-key"
	create := func(rotate bool) handler {
		return func(r *http.Request) (any, error) {
			var req UploadKeyRequest
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			if req.PublicKey == "" {
				return nil, badRequest("public_key", "is required (the base64 of an Ed25519 public key; `superapp mp key create` makes the pair)")
			}
			k, err := keys.Create(r.Context(), r.PathValue("appid"), req.PublicKey, req.IPWhitelist, rotate)
			return k, uploadKeyProblem(err)
		}
	}
	mux.HandleFunc("POST "+base, a.operator(create(false)))
	mux.HandleFunc("POST "+base+"/rotate", a.operator(create(true)))
	mux.HandleFunc("GET "+base, a.operator(func(r *http.Request) (any, error) {
		k, err := keys.Get(r.Context(), r.PathValue("appid"))
		return k, uploadKeyProblem(err)
	}))
	mux.HandleFunc("PUT "+base+"/ip-whitelist", a.operator(func(r *http.Request) (any, error) {
		var req struct {
			IPWhitelist []string `json:"ip_whitelist"`
		}
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		k, err := keys.SetIPWhitelist(r.Context(), r.PathValue("appid"), req.IPWhitelist)
		return k, uploadKeyProblem(err)
	}))
	mux.HandleFunc("DELETE "+base, a.operator(func(r *http.Request) (any, error) {
		appid := r.PathValue("appid")
		if err := keys.Revoke(r.Context(), appid); err != nil {
			return nil, uploadKeyProblem(err)
		}
		return map[string]any{"appid": appid, "revoked": true}, nil
	}))
}

// UploadKeyRequest creates or rotates a key. A nil whitelist on rotate
// keeps the old key's.
type UploadKeyRequest struct {
	PublicKey   string   `json:"public_key"`
	IPWhitelist []string `json:"ip_whitelist"`
}

func uploadKeyProblem(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, upload.ErrKeyExists):
		return &Problem{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, upload.ErrNoKey):
		return notFound(err.Error())
	}
	return mpProblem(err)
}
