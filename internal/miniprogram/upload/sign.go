package upload

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scheme is the Authorization scheme of the CI API.
const Scheme = "Superapp-Key"

// keyFileType is the PEM block of a key file: a PKCS #8 Ed25519 private
// key, with the appid and key id as headers.
const keyFileType = "PRIVATE KEY"

// KeyFile is a parsed key file.
type KeyFile struct {
	AppID string
	KeyID string
	Key   ed25519.PrivateKey
}

// EncodeKeyFile writes the key file of a key.
func EncodeKeyFile(appid, keyID string, priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: keyFileType, Headers: map[string]string{"appid": appid, "key-id": keyID}, Bytes: der}), nil
}

// ParseKeyFile reads a key file written by `superapp mp key create`.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != keyFileType {
		return nil, errors.New("not an upload key file (expected a PEM \"PRIVATE KEY\" block from `superapp mp key create`)")
	}
	kf := &KeyFile{AppID: block.Headers["appid"], KeyID: block.Headers["key-id"]}
	if kf.AppID == "" || kf.KeyID == "" {
		return nil, errors.New("the key file lacks its appid or key-id header (write it with `superapp mp key create`)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the key file's key cannot be read: %v", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("the key file holds a key that is not Ed25519")
	}
	kf.Key = priv
	return kf, nil
}

// signedText is what a request's signature covers.
func signedText(method, path, ts, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(method + "\n" + path + "\n" + ts + "\n" + nonce + "\n" + hex.EncodeToString(sum[:]))
}

// Authorization is the header value that signs a request to the CI API.
func Authorization(keyID string, priv ed25519.PrivateKey, method, path string, body []byte, now time.Time, nonce string) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := ed25519.Sign(priv, signedText(method, path, ts, nonce, body))
	return Scheme + " keyid=" + keyID + ", ts=" + ts + ", nonce=" + nonce + ", sig=" + base64.StdEncoding.EncodeToString(sig)
}

// credentials is a parsed Authorization header.
type credentials struct {
	keyID, ts, nonce string
	sig              []byte
	at               time.Time
}

// parseAuthorization reads the header; the error says what is wrong.
func parseAuthorization(h string) (*credentials, error) {
	rest, ok := strings.CutPrefix(h, Scheme+" ")
	if !ok {
		return nil, errors.New("missing Authorization: " + Scheme + " keyid=…, ts=…, nonce=…, sig=… (sign requests with the key file from `superapp mp key create`)")
	}
	c := &credentials{}
	var sig string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("malformed Authorization parameter %q", part)
		}
		switch k {
		case "keyid":
			c.keyID = v
		case "ts":
			c.ts = v
		case "nonce":
			c.nonce = v
		case "sig":
			// base64 may end in "=": keep everything after the first one.
			sig = v
		}
	}
	if c.keyID == "" || c.ts == "" || c.nonce == "" || sig == "" {
		return nil, errors.New("the Authorization header needs keyid, ts, nonce and sig")
	}
	if len(c.keyID) > 64 {
		return nil, errors.New("keyid is too long")
	}
	if len(c.nonce) < 8 || len(c.nonce) > 64 {
		return nil, errors.New("nonce must have 8 to 64 characters")
	}
	secs, err := strconv.ParseInt(c.ts, 10, 64)
	if err != nil {
		return nil, errors.New("ts must be unix seconds")
	}
	c.at = time.Unix(secs, 0)
	if c.sig, err = base64.StdEncoding.DecodeString(sig); err != nil || len(c.sig) != ed25519.SignatureSize {
		return nil, errors.New("sig must be the base64 of a 64-byte Ed25519 signature")
	}
	return c, nil
}
