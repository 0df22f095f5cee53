package wire

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
)

func (a *API) registerOAMedia(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/media/upload", a.postAuthed(a.mediaUpload))
	// WeChat documents GET; PowerWeChat POSTs with media_id in the query.
	mux.HandleFunc("/cgi-bin/media/get", a.authed(a.mediaGet))
	mux.HandleFunc("GET /cgi-bin/media/video/{media_id}", a.mediaVideo)
}

// multipartOverhead is room for a multipart envelope around the largest
// allowed file.
const multipartOverhead = 64 << 10

// POST /cgi-bin/media/upload?type=image|voice|video|thumb, multipart field
// "media" → {"type","media_id","created_at"} (a thumb's id is
// "thumb_media_id", as WeChat answers).
func (a *API) mediaUpload(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	typ := r.URL.Query().Get("type")
	max := a.p.OA.MediaMaxBytes(typ)
	if max == 0 {
		return nil, oaMessageError(officialaccount.ErrMediaType)
	}
	r.Body = http.MaxBytesReader(w, r.Body, max+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errMediaDataMissing.With(", send the file as multipart/form-data field \"media\"")
	}
	var filename string
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errInvalidMediaSize.With(", the upload is larger than " + strconv.FormatInt(max, 10) + " bytes")
			}
			return nil, errMediaDataMissing.With(", the multipart body is malformed")
		}
		if part.FormName() != "media" {
			part.Close()
			continue
		}
		filename = part.FileName()
		data, err = io.ReadAll(io.LimitReader(part, max+1))
		part.Close()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errInvalidMediaSize.With(", the upload is larger than " + strconv.FormatInt(max, 10) + " bytes")
			}
			return nil, errMediaDataMissing.With(", the multipart body is malformed")
		}
		break
	}
	m, err := a.p.OA.UploadMedia(ctx(r), app.AppID, typ, filename, data)
	if err != nil {
		return nil, oaMessageError(err)
	}
	if m.Type == officialaccount.MediaThumb {
		return struct {
			Type         string `json:"type"`
			ThumbMediaID string `json:"thumb_media_id"`
			CreatedAt    int64  `json:"created_at"`
		}{m.Type, m.MediaID, m.CreatedAt}, nil
	}
	return struct {
		Type      string `json:"type"`
		MediaID   string `json:"media_id"`
		CreatedAt int64  `json:"created_at"`
	}{m.Type, m.MediaID, m.CreatedAt}, nil
}

// GET|POST /cgi-bin/media/get?media_id= → the file (a video: {"video_url"}),
// or 40007 for media that is unknown, expired or another account's.
func (a *API) mediaGet(w http.ResponseWriter, r *http.Request, app *account.App) (any, error) {
	if err := officialAccountOnly(app); err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	id := param(r, "media_id")
	if id == "" && r.Method == http.MethodPost {
		var req struct {
			MediaID string `json:"media_id"`
		}
		if err := DecodeJSON(r, &req); err != nil {
			return nil, err
		}
		id = req.MediaID
	}
	if id == "" {
		return nil, errMediaIDMissing
	}
	m, data, err := a.p.OA.MediaFile(ctx(r), app.AppID, id)
	if err != nil {
		return nil, oaMessageError(err)
	}
	if m.Type == officialaccount.MediaVideo {
		return struct {
			VideoURL string `json:"video_url"`
		}{a.baseURL(r) + "/cgi-bin/media/video/" + m.MediaID}, nil
	}
	writeMedia(w, m, data)
	return nil, nil
}

// GET /cgi-bin/media/video/{media_id}: the link media/get answers for a
// video; like WeChat's video_url it needs no credential while the video lives.
func (a *API) mediaVideo(w http.ResponseWriter, r *http.Request) {
	m, data, err := a.p.OA.VideoContent(ctx(r), r.PathValue("media_id"))
	if errors.Is(err, officialaccount.ErrMediaNotFound) {
		http.Error(w, "404 video not found or expired", http.StatusNotFound)
		return
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeMedia(w, m, data)
}

func writeMedia(w http.ResponseWriter, m *officialaccount.Media, data []byte) {
	name := m.Filename
	if name == "" {
		name = m.MediaID
	}
	h := w.Header()
	h.Set("Content-Type", m.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "no-cache, must-revalidate")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}
