exports.pick = function (o, k) { return o[k] }
