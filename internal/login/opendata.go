package login

import (
	"context"
	"encoding/json"

	"superapp/internal/identity"
	"superapp/internal/wxcrypto"
)

// Watermark ties decrypted open data to an app and a moment.
type Watermark struct {
	Timestamp int64  `json:"timestamp"`
	AppID     string `json:"appid"`
}

// UserInfo is the decrypted user info of wx.getUserInfo / getUserProfile.
// unionId is present only when the app is bound to an open-platform account.
type UserInfo struct {
	OpenID string `json:"openId"`
	RawUserInfo
	UnionID   string    `json:"unionId,omitempty"`
	Watermark Watermark `json:"watermark"`
}

// RawUserInfo is the rawData part (no identifiers, no watermark).
type RawUserInfo struct {
	NickName  string `json:"nickName"`
	Gender    int    `json:"gender"`
	Language  string `json:"language"`
	City      string `json:"city"`
	Province  string `json:"province"`
	Country   string `json:"country"`
	AvatarURL string `json:"avatarUrl"`
}

// PhoneInfo is a phone number as open data and in getuserphonenumber.
// countryCode is a string: Go SDKs decode it into a string field.
type PhoneInfo struct {
	PhoneNumber     string    `json:"phoneNumber"`
	PurePhoneNumber string    `json:"purePhoneNumber"`
	CountryCode     string    `json:"countryCode"`
	Watermark       Watermark `json:"watermark"`
}

// OpenData is what wx.getUserProfile / getPhoneNumber hand a mini program.
type OpenData struct {
	RawData       string `json:"rawData,omitempty"`
	Signature     string `json:"signature,omitempty"`
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
}

// DefaultCountryCode is used for numbers registered without a + prefix.
const DefaultCountryCode = "86"

// Phone splits a stored phone number into WeChat's three forms.
func Phone(u *identity.User, appid string, now int64) PhoneInfo {
	cc, pure := DefaultCountryCode, u.Phone
	if len(u.Phone) > 0 && u.Phone[0] == '+' {
		// Our registration keeps +<country><number>; with no dial-plan table we
		// take a 1–3 digit country code only for the common cases.
		cc, pure = splitInternational(u.Phone[1:])
	}
	full := pure
	if cc != DefaultCountryCode {
		full = "+" + cc + pure
	}
	return PhoneInfo{PhoneNumber: full, PurePhoneNumber: pure, CountryCode: cc, Watermark: Watermark{Timestamp: now, AppID: appid}}
}

func splitInternational(d string) (string, string) {
	for _, cc := range []string{"86", "852", "853", "886", "1", "44", "81", "82", "65", "60", "61", "49", "33"} {
		if len(d) > len(cc) && d[:len(cc)] == cc {
			return cc, d[len(cc):]
		}
	}
	return DefaultCountryCode, d
}

func rawInfo(u *identity.User) RawUserInfo {
	return RawUserInfo{NickName: u.Name, Gender: u.Gender, Language: u.Language, City: u.City, Province: u.Province, Country: u.Country, AvatarURL: u.AvatarURL}
}

// UserInfoData seals the user's profile for a mini program under the current
// session key, with rawData and its signature, as wx.getUserProfile returns it.
func (s *Service) UserInfoData(ctx context.Context, appid string, u *identity.User, unionID string) (OpenData, error) {
	sess, err := s.CurrentForUser(ctx, appid, u.ID)
	if err != nil {
		return OpenData{}, err
	}
	raw := rawInfo(u)
	info := UserInfo{OpenID: sess.OpenID, RawUserInfo: raw, UnionID: unionID, Watermark: Watermark{s.now().Unix(), appid}}
	rawJSON, _ := marshal(raw)
	return seal(sess.SessionKey, info, string(rawJSON))
}

// PhoneData seals the user's phone number (the legacy encryptedData form of getPhoneNumber).
func (s *Service) PhoneData(ctx context.Context, appid string, u *identity.User) (OpenData, error) {
	sess, err := s.CurrentForUser(ctx, appid, u.ID)
	if err != nil {
		return OpenData{}, err
	}
	return seal(sess.SessionKey, Phone(u, appid, s.now().Unix()), "")
}

func seal(sessionKey string, v any, rawData string) (OpenData, error) {
	pt, err := marshal(v)
	if err != nil {
		return OpenData{}, err
	}
	enc, iv, err := wxcrypto.EncryptOpenData(sessionKey, pt)
	if err != nil {
		return OpenData{}, err
	}
	od := OpenData{EncryptedData: enc, IV: iv}
	if rawData != "" {
		od.RawData = rawData
		od.Signature = wxcrypto.RawDataSignature(rawData, sessionKey)
	}
	return od, nil
}

func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return b, err
}
