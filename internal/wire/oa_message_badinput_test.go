package wire_test

// oaMessageCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaMessageCases = []badCase{}
