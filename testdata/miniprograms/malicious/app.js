// A deliberately malicious package for the isolation tests. Every attempt
// lives in pages/index/attacks.js and is reported on the page.
App({})
