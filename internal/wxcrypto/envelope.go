package wxcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"

	"superapp/internal/random"
)

// Envelope encrypts and decrypts developer-server messages in compatible and
// safe mode (wechat-api.md §2.5): AES-256-CBC with IV = key[:16], PKCS#7 to
// 32 bytes, plaintext random(16) ‖ uint32be(len) ‖ msg ‖ appid.
type Envelope struct {
	key   []byte
	appID string
}

// ErrAppIDMismatch is a decrypted message addressed to another app.
var ErrAppIDMismatch = errors.New("receiver appid does not match")

// NewEnvelope takes the 43-character EncodingAESKey.
func NewEnvelope(encodingAESKey, appID string) (*Envelope, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrBadKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrBadKey
	}
	return &Envelope{key: key, appID: appID}, nil
}

// Seal returns the base64 Encrypt value for msg.
func (e *Envelope) Seal(msg []byte) string {
	pt := make([]byte, 0, 20+len(msg)+len(e.appID))
	pt = append(pt, random.Bytes(16)...)
	pt = binary.BigEndian.AppendUint32(pt, uint32(len(msg)))
	pt = append(pt, msg...)
	pt = append(pt, e.appID...)
	pt = pkcs7Pad(pt, 32)
	block, _ := aes.NewCipher(e.key)
	out := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, e.key[:16]).CryptBlocks(out, pt)
	return base64.StdEncoding.EncodeToString(out)
}

// Open decrypts an Encrypt value and checks the receiver appid.
func (e *Envelope) Open(encrypted string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrBadInput
	}
	block, _ := aes.NewCipher(e.key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, e.key[:16]).CryptBlocks(pt, ct)
	pt, err = pkcs7Unpad(pt, 32)
	if err != nil {
		return nil, err
	}
	if len(pt) < 20 {
		return nil, ErrBadInput
	}
	n := binary.BigEndian.Uint32(pt[16:20])
	if uint64(n) > uint64(len(pt)-20) {
		return nil, ErrBadInput
	}
	msg, appID := pt[20:20+n], pt[20+n:]
	if string(appID) != e.appID {
		return nil, ErrAppIDMismatch
	}
	return msg, nil
}
