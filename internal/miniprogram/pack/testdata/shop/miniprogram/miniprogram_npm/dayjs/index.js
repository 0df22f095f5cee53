module.exports = function dayjs() { return { format: function () { return "2024-01-01" } } }
