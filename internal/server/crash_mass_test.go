package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"superapp/internal/account"
	"superapp/internal/platform"
	"superapp/internal/store"
)

// massFollowers writes n followers of appid straight into the tables (the
// domain would take minutes): every tenth has unfollowed again and every
// thirteenth is blacklisted. It returns how many can be reached.
func massFollowers(t *testing.T, p *platform.Platform, appid string, n int) int {
	t.Helper()
	now := time.Now().Unix()
	reachable := 0
	const per = 2000
	err := p.DB.InTx(context.Background(), func(tx *store.Tx) error {
		for start := 0; start < n; start += per {
			end := min(start+per, n)
			var users, follows []string
			var uargs, fargs []any
			for i := start; i < end; i++ {
				id := fmt.Sprintf("u_mass%08d", i)
				subscribed, black := 1, 0
				switch {
				case i%10 == 9:
					subscribed = 0
				case i%13 == 12:
					black = 1
				default:
					reachable++
				}
				users, uargs = append(users, "(?, 'fan', ?)"), append(uargs, id, now)
				follows = append(follows, "(?, ?, ?, ?, ?, ?)")
				fargs = append(fargs, appid, id, p.Identity.OpenID(appid, id), subscribed, now, black)
			}
			if _, err := tx.Exec(context.Background(), "INSERT INTO users(id, name, created_at) VALUES "+strings.Join(users, ", "), uargs...); err != nil {
				return err
			}
			if _, err := tx.Exec(context.Background(), "INSERT INTO oa_followers(appid, user_id, openid, subscribed, subscribe_time, blacklisted) VALUES "+
				strings.Join(follows, ", "), fargs...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return reachable
}

// A superapp killed with SIGKILL in the middle of a mass send finishes it
// after a restart: every reachable follower has exactly one copy, the job's
// counts are exact, and MASSSENDJOBFINISH reports them.
func TestMassSendSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the superapp binary")
	}
	ctx := context.Background()
	// Small chunks: the send takes some 800 transactions.
	bin, opts, addr, args := childSetup(t, `{"official_accounts":{"mass_chunk":200}}`)

	// The developer server records the job reports.
	type report struct {
		Event                                          string
		MsgID                                          int64 `xml:"MsgID"`
		Status                                         string
		TotalCount, FilterCount, SentCount, ErrorCount int64
	}
	var mu sync.Mutex
	var reports []report
	dev := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var rep report
		body, _ := io.ReadAll(r.Body)
		if xml.Unmarshal(body, &rep) == nil && rep.Event == "MASSSENDJOBFINISH" {
			mu.Lock()
			reports = append(reports, rep)
			mu.Unlock()
		}
		io.WriteString(rw, "success")
	}))
	defer dev.Close()

	// A service account with 200,000 followers and its developer server.
	p, err := platform.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	app, secret, err := p.Accounts.CreateApp(ctx, account.ServiceAccount, "Crash News", "")
	if err != nil {
		t.Fatal(err)
	}
	appid := app.AppID
	reachable := massFollowers(t, p, appid, 200_000)
	if _, err := p.DB.Exec(ctx, `INSERT INTO oa_callback_configs(appid, url, token, mode, verified_at, updated_at) VALUES (?, ?, 'crashtoken', 'plain', 1, 1)`,
		appid, dev.URL+"/wechat"); err != nil {
		t.Fatal(err)
	}
	p.Close()

	first := startChild(t, bin, args...)
	first.waitHealthy(t, addr)
	base := "http://" + addr
	tok := crashToken(t, base, appid, secret)
	db, err := store.Open(ctx, opts.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sent struct {
		ErrCode int   `json:"errcode"`
		MsgID   int64 `json:"msg_id"`
	}
	crashPost(t, base+"/cgi-bin/message/mass/sendall?access_token="+tok, `{"filter":{"is_to_all":true},"msgtype":"text","text":{"content":"breaking news"}}`, &sent)
	if sent.ErrCode != 0 || sent.MsgID == 0 {
		t.Fatalf("sendall answered %+v", sent)
	}

	// Once a tenth of the copies are in, freeze the server (SIGSTOP) so that
	// the job cannot move on while the test looks at it, then kill it.
	state := func() (status string, n int64) {
		if err := db.QueryRow(ctx, "SELECT status, sent_count FROM oa_mass_jobs WHERE msg_id = ?", sent.MsgID).Scan(&status, &n); err != nil {
			t.Fatal(err)
		}
		return status, n
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		if status, n := state(); status != "SENDING" || n >= int64(reachable/10) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fan-out did not start:\n%s", first.out.String())
		}
	}
	first.cmd.Process.Signal(syscall.SIGSTOP)
	status, n := state()
	first.cmd.Process.Signal(syscall.SIGKILL)
	<-first.done
	if status != "SENDING" || n >= int64(reachable) {
		t.Fatalf("at the kill the job was %s with %d of %d copies: the kill did not land mid-way", status, n, reachable)
	}
	t.Logf("killed with %d of %d copies made", n, reachable)

	second := startChild(t, bin, args...)
	second.waitHealthy(t, addr)
	for deadline := time.Now().Add(25 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var st struct {
			MsgStatus string `json:"msg_status"`
		}
		crashPost(t, base+"/cgi-bin/message/mass/get?access_token="+tok, `{"msg_id":`+strconv.FormatInt(sent.MsgID, 10)+`}`, &st)
		if st.MsgStatus == "SEND_SUCCESS" {
			break
		}
		if st.MsgStatus != "SENDING" || time.Now().After(deadline) {
			t.Fatalf("after the restart the job is %q\n%s", st.MsgStatus, second.out.String())
		}
	}

	var copies, distinct, reached int
	var total, filter, sentCount, errs int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT i.user_id) FROM oa_inbox i JOIN oa_mass_jobs j ON j.message_id = i.message_id WHERE j.msg_id = ?`,
		sent.MsgID).Scan(&copies, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM oa_followers f JOIN oa_mass_jobs j ON j.appid = f.appid
		JOIN oa_inbox i ON i.user_id = f.user_id AND i.appid = f.appid AND i.message_id = j.message_id
		WHERE j.msg_id = ? AND f.subscribed = 1 AND f.blacklisted = 0`, sent.MsgID).Scan(&reached); err != nil {
		t.Fatal(err)
	}
	if copies != reachable || distinct != reachable || reached != reachable {
		t.Fatalf("%d copies for %d users, %d of them reachable; want exactly one copy for each of the %d reachable followers", copies, distinct, reached, reachable)
	}
	if err := db.QueryRow(ctx, "SELECT total_count, filter_count, sent_count, error_count FROM oa_mass_jobs WHERE msg_id = ?", sent.MsgID).
		Scan(&total, &filter, &sentCount, &errs); err != nil {
		t.Fatal(err)
	}
	want := int64(reachable)
	if total != want || filter != want || sentCount != want || errs != 0 {
		t.Fatalf("job counts total %d, filter %d, sent %d, error %d; want %d, %d, %d, 0", total, filter, sentCount, errs, want, want, want)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		got := append([]report(nil), reports...)
		mu.Unlock()
		if len(got) > 0 {
			for _, r := range got {
				if r.MsgID != sent.MsgID || r.Status != "send success" || r.TotalCount != want || r.FilterCount != want || r.SentCount != want || r.ErrorCount != 0 {
					t.Fatalf("MASSSENDJOBFINISH %+v, want msg_id %d and %d everywhere", r, sent.MsgID, want)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no MASSSENDJOBFINISH\n%s", second.out.String())
		}
	}
	second.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-second.done; err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, second.out.String())
	}
}

func crashToken(t *testing.T, base, appid, secret string) string {
	t.Helper()
	resp, err := http.Get(base + "/cgi-bin/token?grant_type=client_credential&appid=" + appid + "&secret=" + url.QueryEscape(secret))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tok.AccessToken
}

func crashPost(t *testing.T, u, body string, out any) {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s answered %q", u, raw)
	}
}
