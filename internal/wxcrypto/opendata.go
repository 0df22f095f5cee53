// Package wxcrypto holds WeChat's cryptographic envelopes: mini program open
// data (AES-128-CBC under the session key, SHA-1 rawData signatures), the
// session-key HMAC of checksession, the JS-SDK signature, and the message
// envelope of developer-server pushes (AES-256-CBC with 32-byte padding).
package wxcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sort"
	"strings"

	"superapp/internal/random"
)

// Errors of this package.
var (
	ErrBadKey     = errors.New("key has the wrong length")
	ErrBadPadding = errors.New("bad padding")
	ErrBadInput   = errors.New("malformed ciphertext")
)

// NewSessionKey makes a session_key: 16 random bytes, base64.
func NewSessionKey() string { return base64.StdEncoding.EncodeToString(random.Bytes(16)) }

// EncryptOpenData seals plaintext as encryptedData for the session key
// (AES-128-CBC, PKCS#7, random IV) and returns encryptedData and iv, base64.
func EncryptOpenData(sessionKey string, plaintext []byte) (encryptedData, iv string, err error) {
	key, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil || len(key) != 16 {
		return "", "", ErrBadKey
	}
	block, _ := aes.NewCipher(key)
	ivb := random.Bytes(aes.BlockSize)
	padded := pkcs7Pad(plaintext, aes.BlockSize)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, ivb).CryptBlocks(out, padded)
	return base64.StdEncoding.EncodeToString(out), base64.StdEncoding.EncodeToString(ivb), nil
}

// DecryptOpenData is the inverse of EncryptOpenData, as a developer's backend does it.
func DecryptOpenData(sessionKey, encryptedData, iv string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil || len(key) != 16 {
		return nil, ErrBadKey
	}
	ivb, err := base64.StdEncoding.DecodeString(iv)
	if err != nil || len(ivb) != aes.BlockSize {
		return nil, ErrBadInput
	}
	ct, err := base64.StdEncoding.DecodeString(encryptedData)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrBadInput
	}
	block, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, ivb).CryptBlocks(pt, ct)
	return pkcs7Unpad(pt, aes.BlockSize)
}

// RawDataSignature is sha1(rawData + session_key) in hex.
func RawDataSignature(rawData, sessionKey string) string {
	h := sha1.Sum([]byte(rawData + sessionKey))
	return hex.EncodeToString(h[:])
}

// SessionSignature is the checksession signature: hex(hmac_sha256(key =
// session_key as text, message = "")).
func SessionSignature(sessionKey string) string {
	m := hmac.New(sha256.New, []byte(sessionKey))
	return hex.EncodeToString(m.Sum(nil))
}

// JSAPISignature is the JS-SDK wx.config signature.
func JSAPISignature(ticket, nonceStr, timestamp, url string) string {
	s := "jsapi_ticket=" + ticket + "&noncestr=" + nonceStr + "&timestamp=" + timestamp + "&url=" + url
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// Signature is sha1 over the lexicographically sorted parts joined together:
// URL verification (token, timestamp, nonce) and msg_signature (… Encrypt).
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

func pkcs7Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

func pkcs7Unpad(b []byte, size int) ([]byte, error) {
	if len(b) == 0 {
		return nil, ErrBadPadding
	}
	n := int(b[len(b)-1])
	if n < 1 || n > size || n > len(b) {
		return nil, ErrBadPadding
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, ErrBadPadding
		}
	}
	return b[:len(b)-n], nil
}
