// Package account models who is on the platform as a publisher: subjects
// (the legal entity or person), open-platform accounts (which tie apps
// together for UnionID), and apps — subscription accounts, service accounts
// and mini programs — with their appid and secret.
package account

import (
	"errors"
	"fmt"
	"strings"
	"superapp/internal/input"
)

// SubjectKind is the legal form of a subject (platform-rules.md §3.1).
type SubjectKind string

const (
	Enterprise         SubjectKind = "enterprise"
	IndividualBusiness SubjectKind = "individual_business"
	Government         SubjectKind = "government"
	Media              SubjectKind = "media"
	OtherOrganization  SubjectKind = "other_organization"
	Individual         SubjectKind = "individual"
)

// SubjectKinds lists every kind, in the order help texts show them.
var SubjectKinds = []SubjectKind{Enterprise, IndividualBusiness, Government, Media, OtherOrganization, Individual}

// AppKind is what an app is.
type AppKind string

const (
	SubscriptionAccount AppKind = "subscription"
	ServiceAccount      AppKind = "service"
	MiniProgram         AppKind = "miniprogram"
)

// AppKinds lists every kind.
var AppKinds = []AppKind{MiniProgram, SubscriptionAccount, ServiceAccount}

// IsOfficialAccount reports whether apps of this kind are official accounts.
func (k AppKind) IsOfficialAccount() bool { return k == SubscriptionAccount || k == ServiceAccount }

// Subject is a registered legal entity or person that owns apps.
type Subject struct {
	ID        string      `json:"id"`
	Kind      SubjectKind `json:"kind"`
	Name      string      `json:"name"`
	Certified bool        `json:"certified"`
	CreatedAt int64       `json:"created_at"`
}

// OpenPlatform is an open-platform account: apps bound to it share UnionIDs.
type OpenPlatform struct {
	ID        string `json:"id"`
	SubjectID string `json:"subject_id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"created_at"`
}

// App is an official account or mini program. The secret itself is never
// stored; SecretHash is its SHA-256.
type App struct {
	AppID          string   `json:"appid"`
	Kind           AppKind  `json:"kind"`
	Name           string   `json:"name"`
	OriginalID     string   `json:"original_id"`
	SubjectID      string   `json:"subject_id"`
	OpenPlatformID string   `json:"open_platform_id,omitempty"`
	IPWhitelist    []string `json:"ip_whitelist"`
	OAuthDomains   []string `json:"oauth_domains"`
	CreatedAt      int64    `json:"created_at"`
	SecretHash     string   `json:"-"`
	BoundAt        int64    `json:"-"`
}

// Errors returned by this package. The server maps them to messages or errcodes.
var (
	ErrSubjectNotFound      = errors.New("subject not found")
	ErrAppNotFound          = errors.New("app not found")
	ErrOpenPlatformNotFound = errors.New("open platform account not found")
	ErrAlreadyBound         = errors.New("app is already bound to an open platform account")
	ErrNotBound             = errors.New("app is not bound to this open platform account")
)

// InputError is bad input, naming the field at fault.
type InputError = input.Error

// LimitError is a policy limit that an action would exceed.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

const maxNameRunes = 30

func validateName(field, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return input.Errorf(field, "must not be empty")
	}
	if n := len([]rune(name)); n > maxNameRunes {
		return input.Errorf(field, fmt.Sprintf("is %d characters; at most %d are allowed", n, maxNameRunes))
	}
	return nil
}

// ParseSubjectKind validates a subject kind given by an operator.
func ParseSubjectKind(s string) (SubjectKind, error) {
	for _, k := range SubjectKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", input.Errorf("kind", fmt.Sprintf("%q is not a subject kind; use one of %s", s, joinKinds(SubjectKinds)))
}

// ParseAppKind validates an app kind given by an operator.
func ParseAppKind(s string) (AppKind, error) {
	for _, k := range AppKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", input.Errorf("kind", fmt.Sprintf("%q is not an app kind; use one of %s", s, joinKinds(AppKinds)))
}

func joinKinds[T ~string](ks []T) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ValidAppID reports whether s looks like an appid: "wx" and 16 hex digits.
func ValidAppID(s string) bool {
	if len(s) != 18 || s[:2] != "wx" {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
