package wire_test

// oaQRCodeCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaQRCodeCases = []badCase{}
