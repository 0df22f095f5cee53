package officialaccount

import (
	"net/url"

	"superapp/internal/input"
)

// inbound validates a user's message and returns its push and its visible
// form in the conversation.
func (um UserMessage) inbound() (*Inbound, *Message, error) {
	fields := map[string]string{"text": um.Text, "bizmsgmenuid": um.MenuID, "url": um.URL, "media_id": um.MediaID, "title": um.Title, "description": um.Description}
	if um.Location != nil {
		fields["location.label"] = um.Location.Label
	}
	for name, v := range fields {
		if !input.Storable(v) {
			return nil, nil, input.Errorf(name, "must be UTF-8 text without NUL characters")
		}
	}
	// The shell makes the address a link or loads it: anything but a web
	// address (javascript:, data:) must not reach a conversation.
	if um.URL != "" {
		if u, err := url.Parse(um.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, input.Errorf("url", "must be an http or https address")
		}
	}
	kind := um.Kind
	if kind == "" {
		kind = "text"
	}
	in := &Inbound{MsgType: kind}
	m := &Message{Kind: kind}
	switch kind {
	case "text":
		if um.Text == "" {
			return nil, nil, input.Errorf("text", "must not be empty")
		}
		if len([]rune(um.Text)) > 2048 {
			return nil, nil, input.Errorf("text", "is longer than 2048 characters")
		}
		in.Content, in.BizMsgMenuID = um.Text, um.MenuID
		m.Body.Text = um.Text
	case "image":
		if um.URL == "" {
			return nil, nil, input.Errorf("url", "an image message needs the picture's address")
		}
		in.PicURL, in.MediaID = um.URL, um.MediaID
		m.Body.URL, m.Body.MediaID = um.URL, um.MediaID
	case "voice", "video":
		if um.MediaID == "" && um.URL == "" {
			return nil, nil, input.Errorf("url", "a "+kind+" message needs its media")
		}
		in.MediaID, in.Format = um.MediaID, "amr"
		m.Body.URL, m.Body.MediaID = um.URL, um.MediaID
	case "location":
		if um.Location == nil {
			return nil, nil, input.Errorf("location", "a location message needs latitude and longitude")
		}
		l := *um.Location
		if l.Latitude < -90 || l.Latitude > 90 || l.Longitude < -180 || l.Longitude > 180 {
			return nil, nil, input.Errorf("location", "latitude must be within ±90 and longitude within ±180")
		}
		if l.Scale == 0 {
			l.Scale = 15
		}
		in.LocationX, in.LocationY, in.Scale, in.Label = l.Latitude, l.Longitude, l.Scale, l.Label
		m.Body.Location = &l
	case "link":
		if um.URL == "" || um.Title == "" {
			return nil, nil, input.Errorf("url", "a link message needs a title and an address")
		}
		in.Title, in.Description, in.URL = um.Title, um.Description, um.URL
		m.Body.Title, m.Body.Description, m.Body.URL = um.Title, um.Description, um.URL
	default:
		return nil, nil, input.Errorf("kind", "must be text, image, voice, video, location or link")
	}
	return in, m, nil
}
