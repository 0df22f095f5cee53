package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"superapp/internal/input"

	"superapp/internal/random"
	"superapp/internal/store"
)

const userColumns = "id, name, COALESCE(phone, ''), password_hash, avatar_url, gender, country, province, city, language, test_user, created_at"

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var test int
	if err := row.Scan(&u.ID, &u.Name, &u.Phone, &u.passwordHash, &u.AvatarURL, &u.Gender, &u.Country, &u.Province, &u.City, &u.Language, &test, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.TestUser = test == 1
	return &u, nil
}

var phonePattern = regexp.MustCompile(`^\+?[0-9]{5,15}$`)

// NewUser describes a user to create.
type NewUser struct {
	Name     string
	Phone    string // optional for simulated users
	Password string // required when Phone is set
	TestUser bool
}

// CreateUser registers an end user.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	name := strings.TrimSpace(n.Name)
	if name == "" {
		return nil, input.Errorf("name", "must not be empty")
	}
	if len([]rune(name)) > 32 {
		return nil, input.Errorf("name", fmt.Sprintf("is %d characters; at most 32 are allowed", len([]rune(name))))
	}
	var phone any
	hash := ""
	if n.Phone != "" {
		if !phonePattern.MatchString(n.Phone) {
			return nil, input.Errorf("phone", "must be 5 to 15 digits, optionally starting with +")
		}
		if err := checkPassword(n.Password); err != nil {
			return nil, err
		}
		phone = n.Phone
		hash = HashPassword(n.Password)
	}
	u := &User{ID: "u_" + random.Hex(8), Name: name, Phone: n.Phone, Language: "zh_CN", TestUser: n.TestUser, CreatedAt: s.now().Unix(), passwordHash: hash}
	test := 0
	if n.TestUser {
		test = 1
	}
	_, err := s.db.Exec(ctx, "INSERT INTO users(id, name, phone, password_hash, test_user, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		u.ID, u.Name, phone, hash, test, u.CreatedAt)
	if store.IsUniqueViolation(err) {
		return nil, ErrPhoneTaken
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// User returns a user by id.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUserNotFound
	}
	return u, err
}

// FindUser resolves what an operator or test typed: a user id, a phone
// number, or a name that exactly one user has.
func (s *Service) FindUser(ctx context.Context, ref string) (*User, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, input.Errorf("user", "must not be empty")
	}
	if u, err := s.User(ctx, ref); err == nil || !errors.Is(err, ErrUserNotFound) {
		return u, err
	}
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE phone = ?", ref))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT "+userColumns+" FROM users WHERE name = ? LIMIT 2", ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		found = append(found, u)
	}
	switch len(found) {
	case 0:
		return nil, ErrUserNotFound
	case 1:
		return found[0], nil
	default:
		return nil, ErrAmbiguousUser
	}
}

// checkPassword is the rule every new password meets.
func checkPassword(password string) error {
	if len(password) < 8 {
		return input.Errorf("password", "must be at least 8 characters")
	}
	if len(password) > 128 {
		return input.Errorf("password", "must be at most 128 characters")
	}
	return nil
}

// SetPassword replaces a user's password (the dev loop's test user gets a
// fresh one each run, so none is ever stored in the clear).
func (s *Service) SetPassword(ctx context.Context, userID, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", HashPassword(password), userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrUserNotFound
	}
	return nil
}

// Authenticate checks a phone number and password.
func (s *Service) Authenticate(ctx context.Context, phone, password string) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE phone = ?", phone))
	if errors.Is(err, sql.ErrNoRows) {
		CheckPassword(dummyHash(), password) // same work either way, so timing does not reveal registered numbers
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if u.passwordHash == "" || !CheckPassword(u.passwordHash, password) {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// Profile is the part of a user's profile they may edit.
type Profile struct {
	Name      *string `json:"name"`
	AvatarURL *string `json:"avatar_url"`
	Gender    *int    `json:"gender"`
	Country   *string `json:"country"`
	Province  *string `json:"province"`
	City      *string `json:"city"`
}

// UpdateProfile changes the given fields.
func (s *Service) UpdateProfile(ctx context.Context, id string, p Profile) (*User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || len([]rune(name)) > 32 {
			return nil, input.Errorf("name", "must be 1 to 32 characters")
		}
		u.Name = name
	}
	if p.Gender != nil {
		if *p.Gender < 0 || *p.Gender > 2 {
			return nil, input.Errorf("gender", "must be 0 (unknown), 1 (male) or 2 (female)")
		}
		u.Gender = *p.Gender
	}
	for _, f := range []struct {
		field string
		in    *string
		out   *string
	}{{"avatar_url", p.AvatarURL, &u.AvatarURL}, {"country", p.Country, &u.Country}, {"province", p.Province, &u.Province}, {"city", p.City, &u.City}} {
		if f.in != nil {
			if len(*f.in) > 512 {
				return nil, input.Errorf(f.field, "must be at most 512 bytes")
			}
			*f.out = strings.TrimSpace(*f.in)
		}
	}
	_, err = s.db.Exec(ctx, "UPDATE users SET name = ?, avatar_url = ?, gender = ?, country = ?, province = ?, city = ? WHERE id = ?",
		u.Name, u.AvatarURL, u.Gender, u.Country, u.Province, u.City, id)
	return u, err
}
