package adminapi

// Mini program builds and server domains. `superapp mp publish` packs a
// project locally, asks which of its files the server lacks, uploads those
// one by one (each checked against its SHA-256), then sends the manifest,
// which becomes the app's dev build once every file it names is stored.

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"superapp/internal/miniprogram/host"
	"superapp/internal/miniprogram/pack"
	"superapp/internal/wire"
)

// registerMiniPrograms adds the mini program routes (Register calls it).
func (a *API) registerMiniPrograms(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/v1/miniprogram/files/missing", a.operator(a.mpMissing))
	mux.HandleFunc("PUT /admin/v1/miniprogram/files/{hash}", a.operator(a.mpPutFile))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/miniprogram/dev", a.operator(a.mpPublish))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram/dev", a.operator(a.mpDevBuild))
	mux.HandleFunc("PUT /admin/v1/apps/{appid}/miniprogram/domains", a.operator(a.mpSetDomains))
	mux.HandleFunc("GET /admin/v1/apps/{appid}/miniprogram/domains", a.operator(a.mpDomains))
}

// mpProblem maps the registry's errors to answers.
func mpProblem(err error) error {
	var ie *host.InvalidError
	var me *host.MissingFilesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ie):
		return badRequest(ie.Field, ie.Msg)
	case errors.As(err, &me):
		return &Problem{Status: http.StatusConflict, Code: "missing_files", Message: me.Error()}
	case errors.Is(err, host.ErrNotMiniProgram):
		return badRequest("appid", strings.TrimPrefix(err.Error(), host.ErrNotMiniProgram.Error()+": ")+"; only mini programs have builds and server domains")
	case errors.Is(err, host.ErrNoBuild):
		return notFound(err.Error())
	}
	return err
}

type missingRequest struct {
	Hashes []string `json:"hashes"`
}

func (a *API) mpMissing(r *http.Request) (any, error) {
	var req missingRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	missing, err := a.p.MiniPrograms.Missing(r.Context(), req.Hashes)
	if err != nil {
		return nil, mpProblem(err)
	}
	return map[string]any{"missing": missing}, nil
}

func (a *API) mpPutFile(r *http.Request) (any, error) {
	hash := r.PathValue("hash")
	data, err := wire.ReadBody(r, host.MaxFileSize)
	if err != nil {
		return nil, badRequest("body", "must be the file's bytes, at most 20 MiB")
	}
	stored, err := a.p.MiniPrograms.PutFile(r.Context(), hash, data)
	if err != nil {
		return nil, mpProblem(err)
	}
	return map[string]any{"hash": hash, "size": len(data), "stored": stored}, nil
}

// PublishRequest is a build's manifest; its files are uploaded first.
type PublishRequest struct {
	Manifest  json.RawMessage `json:"manifest"`
	SourceDir string          `json:"source_dir"`
}

func (a *API) mpPublish(r *http.Request) (any, error) {
	var req PublishRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.Manifest) == 0 {
		return nil, badRequest("manifest", "is required (the manifest.json of a build from `superapp mp publish`)")
	}
	res := &pack.Result{ManifestJSON: req.Manifest}
	if err := json.Unmarshal(req.Manifest, &res.Manifest); err != nil {
		return nil, badRequest("manifest", "is not a build manifest: "+err.Error())
	}
	b, err := a.p.MiniPrograms.Publish(r.Context(), r.PathValue("appid"), res, req.SourceDir)
	if err != nil {
		return nil, mpProblem(err)
	}
	return b, nil
}

func (a *API) mpDevBuild(r *http.Request) (any, error) {
	b, _, err := a.p.MiniPrograms.DevBuild(r.Context(), r.PathValue("appid"))
	if err != nil {
		return nil, mpProblem(err)
	}
	return b, nil
}

// DomainsRequest replaces the lists given; an absent list is kept.
type DomainsRequest struct {
	Request  *[]string `json:"request"`
	Socket   *[]string `json:"socket"`
	Upload   *[]string `json:"upload"`
	Download *[]string `json:"download"`
}

func (a *API) mpSetDomains(r *http.Request) (any, error) {
	var req DomainsRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	d := host.Domains{}
	for kind, list := range map[host.DomainKind]*[]string{host.DomainRequest: req.Request, host.DomainSocket: req.Socket,
		host.DomainUpload: req.Upload, host.DomainDownload: req.Download} {
		if list != nil {
			d[kind] = *list
		}
	}
	out, err := a.p.MiniPrograms.SetDomains(r.Context(), r.PathValue("appid"), d)
	if err != nil {
		return nil, mpProblem(err)
	}
	return out, nil
}

func (a *API) mpDomains(r *http.Request) (any, error) {
	appid := r.PathValue("appid")
	if _, err := a.p.MiniPrograms.MiniProgram(r.Context(), appid); err != nil {
		return nil, mpProblem(err)
	}
	d, err := a.p.MiniPrograms.Domains(r.Context(), appid)
	return d, mpProblem(err)
}
