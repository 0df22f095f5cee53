package officialaccount

import (
	"time"

	"superapp/internal/callback"
)

// Policy holds the official-account limits, WeChat's by default; a
// deployment overrides any of them in its policy file
// ({"official_accounts": {…}}).
type Policy struct {
	Callbacks CallbackPolicy `json:"callbacks"`

	// Customer-service window (platform-rules §3.5): a user message allows
	// WindowMessageCount messages within WindowMessageHours; a menu click,
	// follow or scan allows WindowEventCount within WindowEventSeconds.
	WindowMessageHours int `json:"window_message_hours"`
	WindowMessageCount int `json:"window_message_count"`
	WindowEventSeconds int `json:"window_event_seconds"`
	WindowEventCount   int `json:"window_event_count"`

	// Mass sends: a subscription account may send MassSubscriptionPerDay
	// per day; each follower of a service account receives at most
	// MassServicePerUserMonth per calendar month.
	MassSubscriptionPerDay  int `json:"mass_subscription_per_day"`
	MassServicePerUserMonth int `json:"mass_service_per_user_month"`
	// MassChunk is how many followers one fan-out transaction covers.
	MassChunk int `json:"mass_chunk"`

	// QR codes.
	PermanentQRCodes      int `json:"permanent_qrcodes"`
	TempQRDefaultSeconds  int `json:"temp_qrcode_default_seconds"`
	TempQRMaxSeconds      int `json:"temp_qrcode_max_seconds"`
	PermanentQRMaxSceneID int `json:"permanent_qrcode_max_scene_id"`

	// Templates.
	TemplatesMax      int `json:"templates_max"`
	TemplateDailySend int `json:"template_daily_send"`

	// Tags.
	TagsMax     int `json:"tags_max"`
	TagsPerUser int `json:"tags_per_user"`

	// Temporary media.
	MediaTTLHours int   `json:"media_ttl_hours"`
	MediaMaxBytes int64 `json:"media_max_bytes"`

	// Associated mini programs (miniprograms.go).
	MiniProgramLinks MiniProgramLinkPolicy `json:"miniprogram_links"`
}

// CallbackPolicy governs pushes to developer servers.
type CallbackPolicy struct {
	// TimeoutMillis is how long one attempt waits (WeChat: 5 s).
	TimeoutMillis int `json:"timeout_ms"`
	// Attempts in total (WeChat: 3).
	Attempts int `json:"attempts"`
	// AllowPrivate lets callbacks reach loopback and private addresses.
	// Unset: allowed in dev mode, refused otherwise.
	AllowPrivate *bool `json:"allow_private"`
}

// Options turns the policy into the dispatcher's settings.
func (p CallbackPolicy) Options(dev bool) callback.Options {
	allow := dev
	if p.AllowPrivate != nil {
		allow = *p.AllowPrivate
	}
	return callback.Options{
		Timeout:      time.Duration(p.TimeoutMillis) * time.Millisecond,
		Attempts:     p.Attempts,
		AllowPrivate: allow,
	}
}

// DefaultPolicy is WeChat's.
func DefaultPolicy() Policy {
	return Policy{
		Callbacks:               CallbackPolicy{TimeoutMillis: 5000, Attempts: 3},
		WindowMessageHours:      48,
		WindowMessageCount:      5,
		WindowEventSeconds:      60,
		WindowEventCount:        3,
		MassSubscriptionPerDay:  1,
		MassServicePerUserMonth: 4,
		MassChunk:               50000,
		PermanentQRCodes:        100000,
		TempQRDefaultSeconds:    60,
		TempQRMaxSeconds:        2592000,
		PermanentQRMaxSceneID:   100000,
		TemplatesMax:            25,
		TemplateDailySend:       100000,
		TagsMax:                 100,
		TagsPerUser:             20,
		MediaTTLHours:           72,
		MediaMaxBytes:           10 << 20,
		MiniProgramLinks:        DefaultMiniProgramLinkPolicy(),
	}
}
