package officialaccount

import (
	"context"
	"strconv"
	"strings"

	"superapp/internal/account"
	"superapp/internal/input"
)

// SearchLimit is the most accounts one search returns.
const SearchLimit = 20

// AccountSummary is an official account as a search lists it.
type AccountSummary struct {
	AppID     string `json:"appid"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Following bool   `json:"following"`
}

// AccountProfile is an official account's public page as a user sees it.
// The menu is separate (MenuFor): it depends on who looks.
type AccountProfile struct {
	AppID     string `json:"appid"`
	Name      string `json:"name"`
	Kind      string `json:"kind"` // subscription or service
	Subject   string `json:"subject"`
	Certified bool   `json:"certified"`
	Followers int    `json:"followers"`
	Following bool   `json:"following"`
	// FollowedAt is when userID followed (0 when not following).
	FollowedAt int64 `json:"followed_at,omitempty"`
}

// likeEscaper escapes LIKE's wildcards so a query matches literally; the
// queries below name '\' as the escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchAccounts lists up to SearchLimit official accounts whose name
// contains query, ignoring case; names starting with it come first. Each says
// whether userID follows it.
func (s *Service) SearchAccounts(ctx context.Context, query, userID string) ([]*AccountSummary, error) {
	query = strings.TrimSpace(query)
	if !input.Storable(query) {
		return nil, input.Errorf("q", "contains characters that are not allowed")
	}
	if query == "" {
		return nil, input.Errorf("q", "must not be empty")
	}
	out := []*AccountSummary{}
	// Account names have at most 30 characters, so a much longer query
	// cannot match; it is not worth a scan.
	if len([]rune(query)) > 64 {
		return out, nil
	}
	pattern := strings.ToLower(likeEscaper.Replace(query))
	rows, err := s.db.Query(ctx, `SELECT a.appid, a.name, a.kind, COALESCE(f.subscribed, 0)
		FROM apps a LEFT JOIN oa_followers f ON f.appid = a.appid AND f.user_id = ?
		WHERE a.kind IN (?, ?) AND LOWER(a.name) LIKE ? ESCAPE '\'
		ORDER BY CASE WHEN LOWER(a.name) LIKE ? ESCAPE '\' THEN 0 ELSE 1 END, a.name, a.appid
		LIMIT `+strconv.Itoa(SearchLimit),
		userID, string(account.SubscriptionAccount), string(account.ServiceAccount), "%"+pattern+"%", pattern+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a AccountSummary
		var sub int
		if err := rows.Scan(&a.AppID, &a.Name, &a.Kind, &sub); err != nil {
			return nil, err
		}
		a.Following = sub == 1
		out = append(out, &a)
	}
	return out, rows.Err()
}

// AccountProfile returns appid's profile as userID sees it, or
// ErrNotOfficialAccount (account.ErrAppNotFound when no app has the id).
func (s *Service) AccountProfile(ctx context.Context, appid, userID string) (*AccountProfile, error) {
	app, err := s.officialAccount(ctx, appid)
	if err != nil {
		return nil, err
	}
	p := &AccountProfile{AppID: app.AppID, Name: app.Name, Kind: string(app.Kind)}
	sub, err := s.accounts.Subject(ctx, app.SubjectID)
	if err != nil {
		return nil, err
	}
	p.Subject, p.Certified = sub.Name, sub.Certified
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM oa_followers WHERE appid = ? AND subscribed = 1", appid).Scan(&p.Followers); err != nil {
		return nil, err
	}
	f, err := s.Relation(ctx, appid, userID)
	if err != nil {
		return nil, err
	}
	if f != nil && f.Subscribed {
		p.Following, p.FollowedAt = true, f.SubscribeTime
	}
	return p, nil
}
