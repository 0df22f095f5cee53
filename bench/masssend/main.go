// Command masssend is superapp's mass-send benchmark (docs/benchmarks.md,
// issue 3 item 9). For each backend (embedded SQLite, PostgreSQL) it
//
//  1. builds a database with -followers followers of one official account
//     (direct SQL through internal/store, in large transactions — setup,
//     not measured);
//  2. (a) measures a raw bulk insert of the same rows a mass send makes —
//     one (user_id, appid, message_id) row per follower into oa_inbox, in
//     user_id order — from Go with multi-row INSERTs in one transaction
//     (on PostgreSQL also with COPY), then empties oa_inbox again;
//  3. (b) measures a real mass send: superapp's server (server.New + Serve,
//     as `superapp serve` runs it) on loopback, POST
//     /cgi-bin/message/mass/sendall to all followers, timed from the call
//     until POST /cgi-bin/message/mass/get answers SEND_SUCCESS and a count
//     of oa_inbox rows of the message equals the follower count;
//
// and reports seconds, the ratio to the raw insert, and the process's RSS
// growth during (b): VmHWM after the send (the peak, reset with
// /proc/self/clear_refs before it) minus VmRSS before it. Targets: ≤ 5 s
// and ≤ 2× the raw insert, RSS growth ≤ 200 MB.
//
//	go run ./bench/masssend [-followers 1000000] [-runs 3] [-postgres URL|off] [-kind service|subscription]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"superapp/bench/internal/benchdb"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"

	"superapp/internal/account"
	"superapp/internal/server"
	"superapp/internal/store"
)

var (
	flagFollowers = flag.Int("followers", 1_000_000, "followers of the account")
	flagRuns      = flag.Int("runs", 3, "measurements of (a) and (b) per backend, on the same database")
	flagPostgres  = flag.String("postgres", benchdb.DefaultPostgres(),
		"PostgreSQL server for the postgres runs (a fresh database is created and dropped); \"off\" skips them")
	flagKind  = flag.String("kind", "service", "account kind: service or subscription")
	flagBatch = flag.Int("batch", 5000, "rows per INSERT statement of the raw insert")
)

func main() {
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	backends := []string{"sqlite"}
	if *flagPostgres != "off" {
		backends = append(backends, "postgres")
	}
	fmt.Printf("masssend benchmark: %s, %d CPUs, %d followers, %s account, %d runs per backend\n",
		runtime.Version(), runtime.NumCPU(), *flagFollowers, *flagKind, *flagRuns)
	var rows []result
	for _, b := range backends {
		rs, err := bench(b)
		rows = append(rows, rs...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "masssend (%s): %v\n", b, err)
			printTable(rows)
			os.Exit(1)
		}
	}
	printTable(rows)
}

// result is one run of (a) and (b) on one backend.
type result struct {
	backend   string
	run       int
	rawInsert time.Duration
	rawCopy   time.Duration // PostgreSQL only
	success   time.Duration // (b) until mass/get said SEND_SUCCESS
	mass      time.Duration // (b) until the copies were also counted
	rssGrowth int64         // bytes
}

func printTable(rs []result) {
	fmt.Println()
	fmt.Println("| backend | run | (a) raw INSERT | (a') raw COPY | (b) mass send: SEND_SUCCESS | (b) … and N copies counted | (b) ÷ (a) | (b) ÷ (a') | RSS growth |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		copyCol, copyRatio := "—", "—"
		if r.rawCopy > 0 {
			copyCol = secs(r.rawCopy)
			copyRatio = fmt.Sprintf("%.2f×", r.mass.Seconds()/r.rawCopy.Seconds())
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %.2f× | %s | %d MB |\n", r.backend, r.run, secs(r.rawInsert), copyCol,
			secs(r.success), secs(r.mass), r.mass.Seconds()/r.rawInsert.Seconds(), copyRatio, r.rssGrowth>>20)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func bench(backend string) ([]result, error) {
	d, err := benchdb.Fresh(backend, *flagPostgres)
	if err != nil {
		return nil, err
	}
	defer d.Drop()
	s, err := benchdb.Serve(d)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	srv, base := s.Server, s.URL
	ctx := context.Background()
	db := srv.P.DB

	kind, err := account.ParseAppKind(*flagKind)
	if err != nil || !kind.IsOfficialAccount() {
		return nil, fmt.Errorf("-kind must be service or subscription")
	}
	app, secret, err := srv.P.Accounts.CreateApp(ctx, kind, "Bench News", "")
	if err != nil {
		return nil, err
	}
	t := time.Now()
	users, err := buildFollowers(ctx, srv, app.AppID, *flagFollowers)
	if err != nil {
		return nil, fmt.Errorf("build followers: %w", err)
	}
	fmt.Printf("%s: built %d followers in %s\n", backend, len(users), time.Since(t).Round(time.Millisecond))
	tok, err := accessToken(base, app.AppID, secret)
	if err != nil {
		return nil, err
	}

	var out []result
	for run := 1; run <= *flagRuns; run++ {
		r := result{backend: backend, run: run}
		if err := emptyInbox(ctx, db); err != nil {
			return out, err
		}
		if r.rawInsert, err = rawInsert(ctx, db, app.AppID, users); err != nil {
			return out, fmt.Errorf("raw insert: %w", err)
		}
		if err := emptyInbox(ctx, db); err != nil {
			return out, err
		}
		if backend == "postgres" {
			if r.rawCopy, err = rawCopy(ctx, d.Config.DatabaseURL, app.AppID, users); err != nil {
				return out, fmt.Errorf("raw copy: %w", err)
			}
			if err := emptyInbox(ctx, db); err != nil {
				return out, err
			}
		}
		runtime.GC()
		debug.FreeOSMemory()
		before := procStatus("VmRSS")
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			return out, fmt.Errorf("reset the RSS peak: %w", err)
		}
		if r.success, r.mass, err = massSend(ctx, db, base, tok, len(users), run); err != nil {
			return out, fmt.Errorf("mass send: %w", err)
		}
		r.rssGrowth = procStatus("VmHWM") - before
		fmt.Printf("%s run %d: raw INSERT %s, raw COPY %s, mass send %s (SEND_SUCCESS after %s), RSS growth %d MB\n", backend, run,
			secs(r.rawInsert), secs(r.rawCopy), secs(r.mass), secs(r.success), r.rssGrowth>>20)
		out = append(out, r)
	}
	return out, nil
}

// buildFollowers creates n users following appid, with ids in user_id
// order, and returns the ids.
func buildFollowers(ctx context.Context, srv *server.Server, appid string, n int) ([]string, error) {
	db := srv.P.DB
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("u_%016x", i+1)
	}
	now := time.Now().Unix()
	const per = 5000
	for start := 0; start < n; start += 100_000 {
		end := min(start+100_000, n)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := start; i < end; i += per {
				j := min(i+per, end)
				var u, f strings.Builder
				ua := make([]any, 0, 2*(j-i))
				fa := make([]any, 0, 4*(j-i))
				u.WriteString("INSERT INTO users(id, name, created_at) VALUES ")
				f.WriteString("INSERT INTO oa_followers(appid, user_id, openid, subscribed, subscribe_time) VALUES ")
				for k := i; k < j; k++ {
					if k > i {
						u.WriteString(", ")
						f.WriteString(", ")
					}
					u.WriteString("(?, ?, ?)")
					f.WriteString("(?, ?, ?, 1, ?)")
					ua = append(ua, users[k], "fan", now)
					fa = append(fa, appid, users[k], srv.P.Identity.OpenID(appid, users[k]), now)
				}
				if _, err := tx.Exec(ctx, u.String(), ua...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, f.String(), fa...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if db.Dialect == store.Postgres {
		// What autovacuum would have done by the time an account has a
		// million followers: planner statistics and the visibility map.
		if _, err := db.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return nil, err
		}
	}
	return users, nil
}

func emptyInbox(ctx context.Context, db *store.DB) error {
	stmts := []string{"DELETE FROM oa_inbox", "DELETE FROM oa_mass_jobs", "DELETE FROM oa_messages"}
	if db.Dialect == store.Postgres {
		stmts = []string{"TRUNCATE oa_inbox", "DELETE FROM oa_mass_jobs", "DELETE FROM oa_messages", "VACUUM ANALYZE oa_inbox"}
	}
	for _, q := range stmts {
		if _, err := db.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// rawInsert writes one inbox row per user with multi-row INSERTs in one
// transaction, in user_id order: the rows a mass send makes, without
// anything a mass send does besides.
func rawInsert(ctx context.Context, db *store.DB, appid string, users []string) (time.Duration, error) {
	per := *flagBatch
	t := time.Now()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var stmt string
		for i := 0; i < len(users); i += per {
			j := min(i+per, len(users))
			if j-i != per || stmt == "" {
				stmt = "INSERT INTO oa_inbox(user_id, appid, message_id) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", j-i), ", ")
			}
			args := make([]any, 0, 3*(j-i))
			for _, u := range users[i:j] {
				args = append(args, u, appid, 1)
			}
			if _, err := tx.Exec(ctx, stmt, args...); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(t), err
}

// rawCopy writes the same rows with PostgreSQL's COPY on a connection of
// its own, in one transaction.
func rawCopy(ctx context.Context, databaseURL, appid string, users []string) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	t := time.Now()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	i := 0
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"oa_inbox"}, []string{"user_id", "appid", "message_id"}, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(users) {
			return nil, nil
		}
		i++
		return []any{users[i-1], appid, int64(1)}, nil
	}))
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	if n != int64(len(users)) {
		return 0, fmt.Errorf("copied %d rows, want %d", n, len(users))
	}
	return time.Since(t), nil
}

// massSend sends a text to every follower through the wire API and waits
// until mass/get says SEND_SUCCESS and all n copies are in oa_inbox.
func massSend(ctx context.Context, db *store.DB, base, tok string, n, run int) (success, done time.Duration, err error) {
	client := &http.Client{Timeout: time.Minute}
	body := fmt.Sprintf(`{"filter":{"is_to_all":true},"msgtype":"text","text":{"content":"Mass message %d of the benchmark"}}`, run)
	t := time.Now()
	var sent struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		MsgID   int64  `json:"msg_id"`
	}
	if err := postJSON(client, base+"/cgi-bin/message/mass/sendall?access_token="+url.QueryEscape(tok), body, &sent); err != nil {
		return 0, 0, err
	}
	if sent.ErrCode != 0 || sent.MsgID == 0 {
		return 0, 0, fmt.Errorf("sendall: %d %s", sent.ErrCode, sent.ErrMsg)
	}
	for {
		var st struct {
			ErrCode   int    `json:"errcode"`
			ErrMsg    string `json:"errmsg"`
			MsgStatus string `json:"msg_status"`
		}
		if err := postJSON(client, base+"/cgi-bin/message/mass/get?access_token="+url.QueryEscape(tok), `{"msg_id":`+strconv.FormatInt(sent.MsgID, 10)+`}`, &st); err != nil {
			return 0, 0, err
		}
		switch {
		case st.ErrCode != 0:
			return 0, 0, fmt.Errorf("mass/get: %d %s", st.ErrCode, st.ErrMsg)
		case st.MsgStatus == "SEND_SUCCESS":
			success = time.Since(t)
			var copies int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM oa_inbox WHERE message_id = (SELECT message_id FROM oa_mass_jobs WHERE msg_id = ?)`,
				sent.MsgID).Scan(&copies); err != nil {
				return 0, 0, err
			}
			if copies != n {
				return 0, 0, fmt.Errorf("SEND_SUCCESS with %d copies, want %d", copies, n)
			}
			return success, time.Since(t), nil
		case st.MsgStatus != "SENDING":
			return 0, 0, fmt.Errorf("mass/get: status %q", st.MsgStatus)
		case time.Since(t) > 5*time.Minute:
			return 0, 0, errors.New("mass send not done after 5 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func postJSON(c *http.Client, u, body string, out any) error {
	resp, err := c.Post(u, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: HTTP %d %s", u, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

func accessToken(base, appid, secret string) (string, error) {
	resp, err := http.Get(base + "/cgi-bin/token?grant_type=client_credential&appid=" + appid + "&secret=" + secret)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
		ErrMsg      string `json:"errmsg"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return "", err
	}
	if t.AccessToken == "" {
		return "", fmt.Errorf("no access token: %s", t.ErrMsg)
	}
	return t.AccessToken, nil
}

// procStatus reads a size field (kB) of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
