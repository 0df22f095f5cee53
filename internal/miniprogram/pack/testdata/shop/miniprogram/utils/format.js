const dayjs = require('dayjs')

export function formatPrice(cents, currency = '¥') {
  return `${currency}${(cents / 100).toFixed(2)}`
}

export const today = () => dayjs().format('YYYY-MM-DD')
