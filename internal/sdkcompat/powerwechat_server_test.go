package sdkcompat_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/ArtisanCloud/PowerLibs/v3/http/helper"
	"github.com/ArtisanCloud/PowerLibs/v3/object"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/contract"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/kernel/messages"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount"
	"github.com/ArtisanCloud/PowerWeChat/v3/src/officialAccount/server/handlers/models"

	"superapp/internal/callback"
	"superapp/internal/officialaccount"
	"superapp/internal/testserver"
)

// powerPush is one push as PowerWeChat's server parsed it.
type powerPush struct {
	header  contract.EventInterface
	text    models.MessageText
	sub     models.EventSubscribe
	click   models.EventClick
	openid  string
	decoded error
}

// powerBackend is a developer backend built on PowerWeChat's official
// account server (Server.VerifyURL for the URL check, Server.Notify for
// pushes): it verifies, decrypts and parses every push and answers with a
// reply for "reply …" texts.
type powerBackend struct {
	*httptest.Server
	mu   sync.Mutex
	got  []powerPush
	errs []error
}

func newPowerBackend(t *testing.T, app testserver.App) *powerBackend {
	b := &powerBackend{}
	oa := powerOfficialAccount(t, nil, app, func(c *officialAccount.UserConfig) {
		c.Token, c.AESKey = callbackToken, callbackAESKey
	})
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rs *http.Response
		var err error
		if r.URL.Query().Has("echostr") {
			rs, err = oa.Server.VerifyURL(r)
		} else {
			rs, err = oa.Server.Notify(r, func(event contract.EventInterface) interface{} {
				p := powerPush{header: event, openid: r.URL.Query().Get("openid")}
				var reply interface{} // nil: PowerWeChat answers "success"
				switch event.GetMsgType() {
				case "text":
					p.decoded = event.ReadMessage(&p.text)
					switch p.text.Content {
					case "reply text":
						reply = messages.NewText("PowerWeChat says hi")
					case "reply image":
						reply = messages.NewImage("PW_IMG", nil)
					case "reply news":
						reply = messages.NewNews([]*object.HashMap{{"Title": "PW headline", "Description": "PW summary",
							"PicUrl": "https://img.example.com/pw.jpg", "Url": "https://news.example.com/pw"}})
					}
				case "event":
					switch event.GetEvent() {
					case "subscribe":
						p.decoded = event.ReadMessage(&p.sub)
					case "CLICK":
						p.decoded = event.ReadMessage(&p.click)
					}
				}
				b.mu.Lock()
				b.got = append(b.got, p)
				b.mu.Unlock()
				return reply
			})
		}
		if err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
			http.Error(w, "bad push", http.StatusBadRequest)
			return
		}
		if err := helper.HttpResponseSend(rs, w); err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *powerBackend) last(t *testing.T) powerPush {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errs) > 0 {
		t.Fatalf("PowerWeChat's server refused a push: %v", b.errs)
	}
	if len(b.got) == 0 {
		t.Fatal("the backend received nothing")
	}
	p := b.got[len(b.got)-1]
	if p.decoded != nil {
		t.Fatalf("PowerWeChat could not read the push: %v", p.decoded)
	}
	return p
}

func TestPowerWeChatMessageServer(t *testing.T) {
	for _, mode := range []string{callback.ModePlain, callback.ModeSafe} {
		t.Run(mode, func(t *testing.T) {
			w := newOAWorld(t)
			b := newPowerBackend(t, w.app)
			configureCallback(t, w.s, w.app.AppID, b.URL+"/notify", mode)
			ctx := context.Background()
			openid := w.openid(w.alice)

			res, err := w.p.Follow(ctx, w.app.AppID, w.alice.ID, "", &officialaccount.QRScene{Ticket: "gQHTICKET", SceneID: 42})
			w.outcome(t, w.alice, res, err)
			p := b.last(t)
			if p.header.GetMsgType() != "event" || p.header.GetEvent() != "subscribe" || p.header.GetFromUserName() != openid || p.header.GetToUserName() != w.originalID ||
				p.sub.EventKey != "qrscene_42" || p.sub.Ticket != "gQHTICKET" || p.openid != openid {
				t.Fatalf("subscribe parsed as %+v / %+v", p.header, p.sub)
			}

			res, err = w.p.Event(ctx, w.app.AppID, w.alice.ID, officialaccount.Inbound{Event: "CLICK", EventKey: "MENU_NEWS"})
			w.outcome(t, w.alice, res, err)
			p = b.last(t)
			if p.header.GetEvent() != "CLICK" || p.click.EventKey != "MENU_NEWS" || p.header.GetCreateTime() == 0 {
				t.Fatalf("CLICK parsed as %+v / %+v", p.header, p.click)
			}

			res, err = w.p.Send(ctx, w.app.AppID, w.alice.ID, officialaccount.UserMessage{Text: "plain hello"})
			if got := w.outcome(t, w.alice, res, err); len(got) != 0 {
				t.Fatalf("no reply expected, got %d messages", len(got))
			}
			p = b.last(t)
			if p.text.Content != "plain hello" || p.text.MsgID != strconv.FormatInt(res.MessageID, 10) || p.header.GetFromUserName() != openid {
				t.Fatalf("text parsed as %+v", p.text)
			}

			send := func(text string) []*officialaccount.Message {
				res, err := w.p.Send(ctx, w.app.AppID, w.alice.ID, officialaccount.UserMessage{Text: text})
				return w.outcome(t, w.alice, res, err)
			}
			wantReply(t, "text", send("reply text"), func(m *officialaccount.Message) bool {
				return m.Kind == "text" && m.Body.Text == "PowerWeChat says hi"
			})
			wantReply(t, "image", send("reply image"), func(m *officialaccount.Message) bool {
				return m.Kind == "image" && m.Body.MediaID == "PW_IMG" && m.Body.URL == "/shell/media/PW_IMG"
			})
			wantReply(t, "news", send("reply news"), func(m *officialaccount.Message) bool {
				a := m.Body.Articles
				return m.Kind == "news" && len(a) == 1 && a[0].Title == "PW headline" && a[0].URL == "https://news.example.com/pw"
			})
			b.last(t)
		})
	}
}
