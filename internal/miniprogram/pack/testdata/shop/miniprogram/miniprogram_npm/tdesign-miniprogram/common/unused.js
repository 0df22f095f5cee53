exports.nobody = true
