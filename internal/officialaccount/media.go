package officialaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"superapp/internal/input"
	"superapp/internal/random"
)

// Errors of temporary media (reference §3.8).
var (
	ErrMediaNotFound = errors.New("media not found or expired")
	ErrMediaType     = errors.New("invalid media type")
	ErrFileType      = errors.New("invalid file type")
	ErrMediaSize     = errors.New("invalid media size")
	ErrMediaMissing  = errors.New("media data missing")
)

// Temporary media types.
const (
	MediaImage = "image"
	MediaVoice = "voice"
	MediaVideo = "video"
	MediaThumb = "thumb"
)

// mediaKinds are WeChat's limits per type (new-media doc: image 10 MB
// PNG/JPEG/JPG/GIF, voice 2 MB AMR/MP3, video 10 MB MP4, thumb 64 KB JPG),
// each further capped by Policy.MediaMaxBytes.
var mediaKinds = map[string]struct {
	maxBytes int64
	exts     map[string]string // extension → content type
}{
	MediaImage: {10 << 20, map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif"}},
	MediaVoice: {2 << 20, map[string]string{".amr": "audio/amr", ".mp3": "audio/mpeg"}},
	MediaVideo: {10 << 20, map[string]string{".mp4": "video/mp4"}},
	MediaThumb: {64 << 10, map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg"}},
}

// MediaMaxBytes is the largest upload of type mediaType under the policy
// (0 for an unknown type).
func (s *Service) MediaMaxBytes(mediaType string) int64 {
	k, ok := mediaKinds[mediaType]
	if !ok {
		return 0
	}
	if s.policy.MediaMaxBytes > 0 {
		return min(k.maxBytes, s.policy.MediaMaxBytes)
	}
	return k.maxBytes
}

// Media is an uploaded temporary media file.
type Media struct {
	MediaID     string `json:"media_id"`
	AppID       string `json:"appid"`
	Type        string `json:"type"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	CreatedAt   int64  `json:"created_at"`
	ExpiresAt   int64  `json:"expires_at"`
}

// UploadMedia stores a temporary media file of appid for
// Policy.MediaTTLHours.
func (s *Service) UploadMedia(ctx context.Context, appid, mediaType, filename string, data []byte) (*Media, error) {
	kind, ok := mediaKinds[mediaType]
	if !ok {
		return nil, fmt.Errorf("%w: type must be image, voice, video or thumb", ErrMediaType)
	}
	if len(data) == 0 {
		return nil, ErrMediaMissing
	}
	if max := s.MediaMaxBytes(mediaType); int64(len(data)) > max {
		return nil, fmt.Errorf("%w: %d bytes, a %s may have at most %d", ErrMediaSize, len(data), mediaType, max)
	}
	name := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	if !input.Storable(name) || len(name) > 128 || name == "." || name == "/" {
		name = ""
	}
	ctype, ok := kind.exts[strings.ToLower(path.Ext(name))]
	if !ok {
		return nil, fmt.Errorf("%w: a %s must be one of %s", ErrFileType, mediaType, extList(kind.exts))
	}
	// Pictures are checked by content too: a page or script renamed .jpg
	// is not an image.
	if strings.HasPrefix(ctype, "image/") && !strings.HasPrefix(http.DetectContentType(data), "image/") {
		return nil, fmt.Errorf("%w: the file is not a picture", ErrFileType)
	}
	if _, err := s.officialAccount(ctx, appid); err != nil {
		return nil, err
	}
	now := s.now()
	m := &Media{
		MediaID: random.Token(48), AppID: appid, Type: mediaType, Filename: name, ContentType: ctype,
		CreatedAt: now.Unix(), ExpiresAt: now.Add(time.Duration(s.policy.MediaTTLHours) * time.Hour).Unix(),
	}
	_, err := s.db.Exec(ctx, `INSERT INTO oa_media(media_id, appid, type, filename, content_type, data, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.MediaID, m.AppID, m.Type, m.Filename, m.ContentType, data, m.CreatedAt, m.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func extList(exts map[string]string) string {
	var b strings.Builder
	for _, e := range []string{".jpg", ".jpeg", ".png", ".gif", ".amr", ".mp3", ".mp4"} {
		if _, ok := exts[e]; ok {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e)
		}
	}
	return b.String()
}

const mediaColumns = "media_id, appid, type, filename, content_type, created_at, expires_at"

func scanMedia(row interface{ Scan(...any) error }, extra ...any) (*Media, error) {
	var m Media
	err := row.Scan(append([]any{&m.MediaID, &m.AppID, &m.Type, &m.Filename, &m.ContentType, &m.CreatedAt, &m.ExpiresAt}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrMediaNotFound
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// MediaFile returns appid's live temporary media mediaID and its bytes;
// another account's media is not found.
func (s *Service) MediaFile(ctx context.Context, appid, mediaID string) (*Media, []byte, error) {
	var data []byte
	m, err := scanMedia(s.db.QueryRow(ctx, "SELECT "+mediaColumns+", data FROM oa_media WHERE media_id = ? AND appid = ? AND expires_at > ?",
		mediaID, appid, s.now().Unix()), &data)
	if err != nil {
		return nil, nil, err
	}
	return m, data, nil
}

// MediaContent returns a temporary media file (for the shell to show).
func (s *Service) MediaContent(ctx context.Context, mediaID string) (contentType, filename string, data []byte, err error) {
	m, err := scanMedia(s.db.QueryRow(ctx, "SELECT "+mediaColumns+", data FROM oa_media WHERE media_id = ? AND expires_at > ?",
		mediaID, s.now().Unix()), &data)
	if err != nil {
		return "", "", nil, err
	}
	return m.ContentType, m.Filename, data, nil
}

// VideoContent returns a live temporary video by id alone: media/get
// answers a video with a link to it, which (like WeChat's video_url) works
// without credentials for as long as the video lives.
func (s *Service) VideoContent(ctx context.Context, mediaID string) (*Media, []byte, error) {
	var data []byte
	m, err := scanMedia(s.db.QueryRow(ctx, "SELECT "+mediaColumns+", data FROM oa_media WHERE media_id = ? AND type = ? AND expires_at > ?",
		mediaID, MediaVideo, s.now().Unix()), &data)
	if err != nil {
		return nil, nil, err
	}
	return m, data, nil
}

// liveMedia checks that mediaID is appid's live temporary media of one of
// types (what a message may show), without reading its bytes.
func (s *Service) liveMedia(ctx context.Context, q rowQuerier, appid, mediaID string, types ...string) (*Media, error) {
	if mediaID == "" {
		return nil, fmt.Errorf("%w: media_id is empty", ErrMediaIDMissing)
	}
	m, err := scanMedia(q.QueryRow(ctx, "SELECT "+mediaColumns+" FROM oa_media WHERE media_id = ? AND appid = ? AND expires_at > ?",
		mediaID, appid, s.now().Unix()))
	if errors.Is(err, ErrMediaNotFound) {
		return nil, fmt.Errorf("%w: %s is not a live temporary media of this account", ErrMediaNotFound, mediaID)
	}
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if m.Type == t {
			return m, nil
		}
	}
	return nil, fmt.Errorf("%w: %s is a %s, this needs %s", ErrMediaNotFound, mediaID, m.Type, strings.Join(types, " or "))
}

// expiredQRCodeKept is how long an expired temporary QR code is kept so
// that scanning it still says "expired" rather than "no such code".
const expiredQRCodeKept = 30 * 24 * 3600

// Sweep deletes expired temporary media, template-send dedup records past
// WeChat's window and temporary QR codes long expired.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now().Unix()
	if _, err := s.db.Exec(ctx, "DELETE FROM oa_media WHERE expires_at <= ?", now); err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, "DELETE FROM oa_qrcodes WHERE permanent = 0 AND expires_at <= ?", now-expiredQRCodeKept); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "DELETE FROM oa_template_sends WHERE created_at <= ?", now-clientMsgIDWindow)
	return err
}
