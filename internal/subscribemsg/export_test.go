package subscribemsg

// CheckValue exposes checkValue to the tests.
var CheckValue = checkValue
