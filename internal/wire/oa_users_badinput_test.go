package wire_test

// oaUserCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaUserCases = []badCase{}
