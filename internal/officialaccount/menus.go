package officialaccount

import (
	"context"
	"errors"
)

// Menu is a custom menu as WeChat's menu/create takes it.
type Menu struct {
	MenuID  int64    `json:"menuid,omitempty"`
	Buttons []Button `json:"button"`
}

// Button is one menu button (reference §3.1).
type Button struct {
	Type       string   `json:"type,omitempty"`
	Name       string   `json:"name"`
	Key        string   `json:"key,omitempty"`
	URL        string   `json:"url,omitempty"`
	MediaID    string   `json:"media_id,omitempty"`
	ArticleID  string   `json:"article_id,omitempty"`
	AppID      string   `json:"appid,omitempty"`
	PagePath   string   `json:"pagepath,omitempty"`
	SubButtons []Button `json:"sub_button,omitempty"`
}

// Tap is a user's tap on a menu button: Top is the top-level index, Sub the
// sub-button's (-1 for a top-level button without sub-buttons). The other
// fields carry what the button type asks the user for.
type Tap struct {
	Top        int       `json:"top"`
	Sub        int       `json:"sub"`
	ScanResult string    `json:"scan_result,omitempty"` // scancode_*
	PicMD5s    []string  `json:"pic_md5s,omitempty"`    // pic_*
	Location   *Location `json:"location,omitempty"`    // location_select
}

// TapResult is what the shell does after a tap.
type TapResult struct {
	*ActResult
	OpenURL     string           `json:"open_url,omitempty"`    // view
	MiniProgram *MiniProgramLink `json:"miniprogram,omitempty"` // miniprogram
}

// ErrNoSuchButton means the user's menu has no such button.
var ErrNoSuchButton = errors.New("the menu has no such button")

var errMenusPending = errors.New("menus are not implemented yet")

// MenuFor returns the menu userID sees (a matching conditional menu, else
// the default menu; nil when the account has none).
// TODO(menus helper): implement.
func (s *Service) MenuFor(ctx context.Context, appid, userID string) (*Menu, error) {
	return nil, errMenusPending
}

// TapButton raises the event of the tapped button.
// TODO(menus helper): implement.
func (s *Service) TapButton(ctx context.Context, appid, userID string, t Tap) (*TapResult, error) {
	return nil, errMenusPending
}

// Click raises the CLICK event of the button with key in the menu userID
// sees. TODO(menus helper): implement.
func (s *Service) Click(ctx context.Context, appid, userID, key string) (*ActResult, error) {
	return nil, errMenusPending
}
