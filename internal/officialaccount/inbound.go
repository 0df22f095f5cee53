package officialaccount

import (
	"strconv"
	"strings"
)

// Inbound is a push to the developer server: a user's message or an event,
// with WeChat's field names (reference §2.3). Zero fields are left out.
type Inbound struct {
	ToUserName   string // the account's original id (gh_…)
	FromUserName string // the user's OpenID ("" for platform events… WeChat sends the OpenID of the account's operator; we send the account's original id)
	CreateTime   int64
	MsgType      string // text, image, voice, video, shortvideo, location, link, event

	// Messages.
	Content      string
	BizMsgMenuID string
	PicURL       string
	MediaID      string
	Format       string
	Recognition  string
	ThumbMediaID string
	LocationX    float64
	LocationY    float64
	Scale        int
	Label        string
	Title        string
	Description  string
	URL          string
	MsgID        int64 // MsgId

	// Events.
	Event      string
	EventKey   string
	Ticket     string
	MenuID     int64
	Latitude   float64
	Longitude  float64
	Precision  float64
	ScanType   string // scancode_*: ScanCodeInfo
	ScanResult string
	PicMD5s    []string // pic_*: SendPicsInfo
	Poiname    string   // location_select: SendLocationInfo (with LocationX/Y, Scale, Label)

	// Job-finish events: MsgID (capital D) and their status and counts.
	JobMsgID    int64
	Status      string
	TotalCount  int64
	FilterCount int64
	SentCount   int64
	ErrorCount  int64
}

// DedupKey is what a developer server deduplicates this push by: the MsgId
// of a message, FromUserName+CreateTime of an event.
func (in *Inbound) DedupKey() string {
	if in.MsgType != "event" && in.MsgID != 0 {
		return strconv.FormatInt(in.MsgID, 10)
	}
	return in.FromUserName + strconv.FormatInt(in.CreateTime, 10)
}

// XML renders the push as WeChat does: text in CDATA, numbers bare.
func (in *Inbound) XML() string {
	var b strings.Builder
	b.WriteString("<xml>")
	text(&b, "ToUserName", in.ToUserName)
	text(&b, "FromUserName", in.FromUserName)
	num(&b, "CreateTime", in.CreateTime)
	text(&b, "MsgType", in.MsgType)
	switch in.MsgType {
	case "text":
		text(&b, "Content", in.Content)
		if in.BizMsgMenuID != "" {
			text(&b, "bizmsgmenuid", in.BizMsgMenuID)
		}
	case "image":
		text(&b, "PicUrl", in.PicURL)
		text(&b, "MediaId", in.MediaID)
	case "voice":
		text(&b, "MediaId", in.MediaID)
		text(&b, "Format", in.Format)
		text(&b, "Recognition", in.Recognition)
	case "video", "shortvideo":
		text(&b, "MediaId", in.MediaID)
		text(&b, "ThumbMediaId", in.ThumbMediaID)
	case "location":
		float(&b, "Location_X", in.LocationX)
		float(&b, "Location_Y", in.LocationY)
		num(&b, "Scale", int64(in.Scale))
		text(&b, "Label", in.Label)
	case "link":
		text(&b, "Title", in.Title)
		text(&b, "Description", in.Description)
		text(&b, "Url", in.URL)
	case "event":
		in.eventXML(&b)
	}
	if in.MsgType != "event" {
		num(&b, "MsgId", in.MsgID)
	}
	b.WriteString("</xml>")
	return b.String()
}

func (in *Inbound) eventXML(b *strings.Builder) {
	text(b, "Event", in.Event)
	switch in.Event {
	case "subscribe", "SCAN":
		if in.EventKey != "" {
			text(b, "EventKey", in.EventKey)
			text(b, "Ticket", in.Ticket)
		}
	case "unsubscribe":
		text(b, "EventKey", "")
	case "LOCATION":
		float(b, "Latitude", in.Latitude)
		float(b, "Longitude", in.Longitude)
		float(b, "Precision", in.Precision)
	case "CLICK":
		text(b, "EventKey", in.EventKey)
	case "VIEW", "view_miniprogram":
		text(b, "EventKey", in.EventKey)
		num(b, "MenuId", in.MenuID)
	case "scancode_push", "scancode_waitmsg":
		text(b, "EventKey", in.EventKey)
		b.WriteString("<ScanCodeInfo>")
		text(b, "ScanType", in.ScanType)
		text(b, "ScanResult", in.ScanResult)
		b.WriteString("</ScanCodeInfo>")
	case "pic_sysphoto", "pic_photo_or_album", "pic_weixin":
		text(b, "EventKey", in.EventKey)
		b.WriteString("<SendPicsInfo>")
		num(b, "Count", int64(len(in.PicMD5s)))
		b.WriteString("<PicList>")
		for _, m := range in.PicMD5s {
			b.WriteString("<item>")
			text(b, "PicMd5Sum", m)
			b.WriteString("</item>")
		}
		b.WriteString("</PicList></SendPicsInfo>")
	case "location_select":
		text(b, "EventKey", in.EventKey)
		b.WriteString("<SendLocationInfo>")
		float(b, "Location_X", in.LocationX)
		float(b, "Location_Y", in.LocationY)
		num(b, "Scale", int64(in.Scale))
		text(b, "Label", in.Label)
		text(b, "Poiname", in.Poiname)
		b.WriteString("</SendLocationInfo>")
	case "TEMPLATESENDJOBFINISH":
		num(b, "MsgID", in.JobMsgID)
		text(b, "Status", in.Status)
	case "MASSSENDJOBFINISH":
		num(b, "MsgID", in.JobMsgID)
		text(b, "Status", in.Status)
		num(b, "TotalCount", in.TotalCount)
		num(b, "FilterCount", in.FilterCount)
		num(b, "SentCount", in.SentCount)
		num(b, "ErrorCount", in.ErrorCount)
		b.WriteString("<CopyrightCheckResult><Count>0</Count><ResultList></ResultList><CheckState>1</CheckState></CopyrightCheckResult>")
	default:
		if in.EventKey != "" {
			text(b, "EventKey", in.EventKey)
		}
	}
}

// cdataEscaper keeps "]]>" inside a value from ending the CDATA section.
var cdataEscaper = strings.NewReplacer("]]>", "]]]]><![CDATA[>")

func text(b *strings.Builder, name, v string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(cdataEscaper.Replace(v))
	b.WriteString("]]></" + name + ">")
}

func num(b *strings.Builder, name string, v int64) {
	b.WriteString("<" + name + ">" + strconv.FormatInt(v, 10) + "</" + name + ">")
}

func float(b *strings.Builder, name string, v float64) {
	b.WriteString("<" + name + ">" + strconv.FormatFloat(v, 'f', -1, 64) + "</" + name + ">")
}
