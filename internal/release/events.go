package release

import (
	"context"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/callback"
	"superapp/internal/store"
)

// CallbackEvents pushes audit decisions to the mini program's developer
// server (weapp_audit_success / weapp_audit_fail, wechat-api.md §5.3)
// through the callback outbox, like every other push. Apps without a
// developer server get nothing.
type CallbackEvents struct {
	db       *store.DB
	accounts *account.Service
	wake     func()
}

// NewCallbackEvents returns the adapter; wake (may be nil) tells the
// dispatcher a push is waiting.
func NewCallbackEvents(db *store.DB, accounts *account.Service, wake func()) *CallbackEvents {
	return &CallbackEvents{db: db, accounts: accounts, wake: wake}
}

var xmlText = strings.NewReplacer("]]>", "]]]]><![CDATA[>")

// auditXML renders the push as WeChat does: text in CDATA, numbers bare.
// It comes from the app itself (WeChat's FromUserName is an internal
// account with no counterpart here).
func auditXML(originalID string, a *Audit) string {
	var b strings.Builder
	cdata := func(name, v string) {
		b.WriteString("<" + name + "><![CDATA[" + xmlText.Replace(v) + "]]></" + name + ">")
	}
	num := func(name string, v int64) {
		b.WriteString("<" + name + ">" + strconv.FormatInt(v, 10) + "</" + name + ">")
	}
	b.WriteString("<xml>")
	cdata("ToUserName", originalID)
	cdata("FromUserName", originalID)
	num("CreateTime", a.DecidedAt)
	cdata("MsgType", "event")
	if a.Status == AuditApproved {
		cdata("Event", "weapp_audit_success")
		num("SuccTime", a.DecidedAt)
	} else {
		cdata("Event", "weapp_audit_fail")
		cdata("Reason", a.Reason)
		num("FailTime", a.DecidedAt)
		cdata("ScreenShot", "")
	}
	b.WriteString("</xml>")
	return b.String()
}

// AuditDecided queues the push for an approved or rejected audit.
func (e *CallbackEvents) AuditDecided(ctx context.Context, appid string, a *Audit) error {
	if a.Status != AuditApproved && a.Status != AuditRejected {
		return nil
	}
	app, err := e.accounts.App(ctx, appid)
	if err != nil {
		return err
	}
	queued := false
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		if ok, err := callback.Configured(ctx, tx, appid); err != nil || !ok {
			return err
		}
		_, err := callback.Enqueue(ctx, tx, callback.Push{AppID: appid,
			DedupKey: app.OriginalID + strconv.FormatInt(a.DecidedAt, 10), XML: auditXML(app.OriginalID, a)})
		queued = err == nil
		return err
	})
	if err == nil && queued && e.wake != nil {
		e.wake()
	}
	return err
}
