package wire_test

// oaMenuCases are the bad-input cases of these endpoints (docs/bad-input.md).
var oaMenuCases = []badCase{}
