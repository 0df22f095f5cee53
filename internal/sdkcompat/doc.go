// Package sdkcompat proves wire compatibility with real WeChat SDKs. It has
// no code of its own: its tests drive github.com/silenceper/wechat/v2
// (officialaccount and miniprogram) and github.com/ArtisanCloud/PowerWeChat/v3
// (officialAccount, miniProgram and, through it, PowerSocialite) unchanged
// against an in-process server started by internal/testserver.
//
// Every SDK keeps its hard-coded https://api.weixin.qq.com (and
// open.weixin.qq.com) URLs; the testserver's host-rewriting transport sends
// those hosts to the in-process server over plain HTTP and refuses every other
// host, so the tests never reach the network:
//
//   - silenceper: util.DefaultHTTPClient, set with Wechat.SetHTTPClient;
//   - PowerWeChat: UserConfig.Http.Transport (honoured by the API clients and
//     the access-token client);
//   - PowerSocialite (PowerWeChat's OAuth) builds its own http.Client with a
//     nil Transport, so the OAuth tests replace http.DefaultTransport for
//     their duration. The tests of this package therefore never run in
//     parallel.
//
// The suite covers access tokens (/cgi-bin/token and /cgi-bin/stable_token,
// and PowerWeChat's automatic refresh after 40001 and 42001), mini program
// login (code2session, checksession, resetusersessionkey), open-data
// decryption with the SDKs' own decryptors, phone numbers (encryptedData and
// getuserphonenumber), web OAuth (the SDKs' authorize URLs opened by a
// signed-in user at /connect/oauth2/authorize, code exchange, refresh,
// userinfo, /sns/auth), the JS-SDK ticket with the SDKs' own wx.config signature, and
// the isolation of apps from each other's tokens. Every quirk of the SDKs
// the server had to meet is listed in docs/sdk-quirks.md.
package sdkcompat
