package identity

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"superapp/internal/random"
)

// PasswordIterations is the PBKDF2-SHA256 work factor for new hashes (OWASP's
// 2023 figure). Tests lower it; stored hashes carry their own count.
var PasswordIterations = 600_000

// HashPassword returns "pbkdf2-sha256$iterations$salt$hash".
func HashPassword(password string) string {
	salt := random.Bytes(16)
	key, _ := pbkdf2.Key(sha256.New, password, salt, PasswordIterations, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", PasswordIterations, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a phone number is unknown, so that
// sign-in takes as long either way. Made on first use: hashing at package
// load would slow every CLI command down.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a real password") })
