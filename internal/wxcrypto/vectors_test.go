package wxcrypto_test

import (
	"encoding/json"
	"strings"
	"testing"

	"superapp/internal/wxcrypto"
)

// Test vectors published by WeChat or reused by the SDKs (wechat-api.md
// Appendix A; wechatpy tests/test_crypto.py). They prove this package
// against WeChat's own numbers, not against itself.

const (
	// Mini program open data (doc "开放数据校验与解密", the official demo).
	demoAppID      = "wx4f4bc4dec97d474b"
	demoSessionKey = "tiihtNczf5v6AKRyjwEUhQ=="
	demoIV         = "r7BXXKkLb8qrSNn05n0qiA=="
	demoEncrypted  = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC" +
		"+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2" +
		"/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz" +
		"/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E" +
		"/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns" +
		"/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG" +
		"20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="

	rawData       = `{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}`
	rawSessionKey = "HyVFkGl5F5OQWJZZaNzBBg=="

	// Message envelope (wechatpy's WeCom vectors; same algorithm, receiveid = corpid).
	envToken    = "123456"
	envAESKey   = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	envReceiver = "wx49f0ab532d5d035a"
	envTS       = "1411525903"
	envNonce    = "461056294"
	envEncrypt  = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
	envMsgSig   = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
	// The reply wechatpy encrypts with the random prefix "1234567890123456".
	replyEncrypt = "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
	replyMsgSig  = "407518b7649e86ef23978113f92d27afa9296533"
	replyXML     = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
	// URL verification of the WeCom variant: echostr is itself an envelope.
	echoStr = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
	echoSig = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
)

func TestRawDataSignatureVector(t *testing.T) {
	if got := wxcrypto.RawDataSignature(rawData, rawSessionKey); got != "75e81ceda165f4ffa64f4068af58c64b8f54b88c" {
		t.Fatalf("RawDataSignature = %s", got)
	}
}

func TestOpenDataVector(t *testing.T) {
	pt, err := wxcrypto.DecryptOpenData(demoSessionKey, demoEncrypted, demoIV)
	if err != nil {
		t.Fatal(err)
	}
	var u struct {
		OpenID    string `json:"openId"`
		NickName  string `json:"nickName"`
		Gender    int    `json:"gender"`
		UnionID   string `json:"unionId"`
		Watermark struct {
			Timestamp int64  `json:"timestamp"`
			AppID     string `json:"appid"`
		} `json:"watermark"`
	}
	if err := json.Unmarshal(pt, &u); err != nil {
		t.Fatalf("plaintext %q: %v", pt, err)
	}
	if u.OpenID != "oGZUI0egBJY1zhBYw2KhdUfwVJJE" || u.NickName != "Band" || u.Gender != 1 ||
		u.UnionID != "ocMvos6NjeKLIBqg5Mr9QjxrP1FA" || u.Watermark.AppID != demoAppID || u.Watermark.Timestamp != 1477314187 {
		t.Fatalf("decrypted %+v", u)
	}
	// The wrong key must not yield the plaintext.
	if pt2, err := wxcrypto.DecryptOpenData(rawSessionKey, demoEncrypted, demoIV); err == nil && string(pt2) == string(pt) {
		t.Fatal("another session key decrypted the demo")
	}
}

func TestURLVerificationVectors(t *testing.T) {
	for _, v := range []struct{ ts, nonce, want string }{
		{"1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696"},
		{"1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78"},
	} {
		if got := wxcrypto.Signature("AAAAA", v.ts, v.nonce); got != v.want {
			t.Errorf("Signature(AAAAA, %s, %s) = %s, want %s", v.ts, v.nonce, got, v.want)
		}
	}
}

func TestJSAPISignatureVector(t *testing.T) {
	// The worked example of the JS-SDK doc (附录1 JS-SDK使用权限签名算法).
	got := wxcrypto.JSAPISignature("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		"Wm3WZYTPz0wzccnW", "1414587457", "http://mp.weixin.qq.com?params=value")
	if got != "0f9de62fce790f9a083d5c99e95740ceb90c27ed" {
		t.Fatalf("JSAPISignature = %s", got)
	}
}

func TestEnvelopeVectors(t *testing.T) {
	if got := wxcrypto.Signature(envToken, envTS, envNonce, envEncrypt); got != envMsgSig {
		t.Errorf("msg_signature = %s, want %s", got, envMsgSig)
	}
	if got := wxcrypto.Signature(envToken, envTS, envNonce, replyEncrypt); got != replyMsgSig {
		t.Errorf("reply msg_signature = %s, want %s", got, replyMsgSig)
	}
	if got := wxcrypto.Signature(envToken, "1411443780", "437374425", echoStr); got != echoSig {
		t.Errorf("echostr signature = %s, want %s", got, echoSig)
	}
	env, err := wxcrypto.NewEnvelope(envAESKey, envReceiver)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := env.Open(envEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg) != 281 || !strings.Contains(string(msg), "<Content><![CDATA[test]]></Content>") ||
		!strings.Contains(string(msg), "<FromUserName><![CDATA[messense]]></FromUserName>") || !strings.Contains(string(msg), "4363689963896700987") {
		t.Fatalf("Open = %d bytes %q", len(msg), msg)
	}
	if reply, err := env.Open(replyEncrypt); err != nil || string(reply) != replyXML {
		t.Fatalf("Open(reply) = %q, %v", reply, err)
	}
	if echo, err := env.Open(echoStr); err != nil || len(echo) == 0 {
		t.Fatalf("Open(echostr) = %q, %v", echo, err)
	}
	// Addressed to another receiver: refused.
	other, _ := wxcrypto.NewEnvelope(envAESKey, "wx0000000000000000")
	if _, err := other.Open(envEncrypt); err != wxcrypto.ErrAppIDMismatch {
		t.Fatalf("Open for another receiver: %v, want ErrAppIDMismatch", err)
	}
}
