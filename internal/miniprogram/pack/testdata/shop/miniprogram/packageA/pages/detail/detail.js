const { formatPrice } = require('../../../utils/format')
Page({ data: { title: 'Detail', price: formatPrice(1999) } })
