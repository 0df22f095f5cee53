package wxcrypto_test

import (
	"bytes"
	"testing"

	"superapp/internal/wxcrypto"
)

// FuzzEnvelopeOpen: Open never panics on any Encrypt value or key, and Seal
// then Open gives back any message. Seeds are the wechatpy vectors.
func FuzzEnvelopeOpen(f *testing.F) {
	f.Add(envAESKey, envEncrypt, []byte("hello"))
	f.Add(envAESKey, replyEncrypt, []byte(replyXML))
	f.Add(envAESKey, echoStr, []byte{})
	f.Add("short", "AAAA", []byte{0})
	f.Add(envAESKey, "", []byte(nil))
	f.Add(envAESKey, "!!!not base64!!!", bytes.Repeat([]byte{0xff}, 64))
	f.Add(envAESKey, "AAAAAAAAAAAAAAAAAAAAAA==", []byte("x")) // one block of zeros
	f.Fuzz(func(t *testing.T, key, encrypt string, msg []byte) {
		env, err := wxcrypto.NewEnvelope(key, envReceiver)
		if err != nil {
			env, _ = wxcrypto.NewEnvelope(envAESKey, envReceiver)
		}
		env.Open(encrypt) // must not panic; any error is fine
		got, err := env.Open(env.Seal(msg))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("Seal/Open(%q) = %q, %v", msg, got, err)
		}
	})
}

// FuzzOpenData: DecryptOpenData never panics, and EncryptOpenData then
// DecryptOpenData gives back any plaintext. Seeds are the official demo.
func FuzzOpenData(f *testing.F) {
	f.Add(demoSessionKey, demoEncrypted, demoIV, []byte(`{"openId":"x"}`))
	f.Add(rawSessionKey, demoEncrypted, demoIV, []byte{})
	f.Add("", "", "", []byte(nil))
	f.Add(demoSessionKey, "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAA==", []byte{0x10})
	f.Add("not base64", "%%%", "AAAA", bytes.Repeat([]byte{16}, 16))
	f.Fuzz(func(t *testing.T, key, data, iv string, plaintext []byte) {
		wxcrypto.DecryptOpenData(key, data, iv) // must not panic
		if _, _, err := wxcrypto.EncryptOpenData(key, plaintext); err != nil {
			key = demoSessionKey // not a 16-byte base64 key: round-trip under the demo's
		}
		enc, ivOut, err := wxcrypto.EncryptOpenData(key, plaintext)
		if err != nil {
			t.Fatal(err)
		}
		got, err := wxcrypto.DecryptOpenData(key, enc, ivOut)
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("Encrypt/Decrypt(%q) = %q, %v", plaintext, got, err)
		}
	})
}
