// The cart lives in getApp().globalData.cart and is mirrored to storage so
// it survives restarts. The tab badge shows the number of pieces.
import { findProduct } from '../data/products'

export const CART_KEY = 'cart'
export const ORDERS_KEY = 'orders'
const CART_TAB_INDEX = 2

function cart() {
  return getApp().globalData.cart
}

function persist() {
  wx.setStorageSync(CART_KEY, cart())
  refreshBadge()
}

export function pieces() {
  return cart().reduce((n, line) => n + line.count, 0)
}

export function refreshBadge() {
  const n = pieces()
  if (n > 0) {
    wx.setTabBarBadge({ index: CART_TAB_INDEX, text: n > 99 ? '99+' : String(n) })
  } else {
    wx.removeTabBarBadge({ index: CART_TAB_INDEX })
  }
}

export function addToCart(id, count = 1) {
  const line = cart().find(l => l.id === id)
  if (line) {
    line.count += count
  } else {
    cart().push({ id, count, checked: true })
  }
  persist()
}

export function setCount(id, count) {
  const app = getApp()
  app.globalData.cart = count > 0
    ? cart().map(l => (l.id === id ? { ...l, count } : l))
    : cart().filter(l => l.id !== id)
  persist()
}

export function toggleChecked(id) {
  const line = cart().find(l => l.id === id)
  if (line) line.checked = !line.checked
  persist()
}

// Lines joined with their product, for display.
export function cartLines() {
  return cart().map(l => ({ ...l, product: findProduct(l.id) })).filter(l => l.product)
}

export function checkedTotal() {
  return cartLines().filter(l => l.checked).reduce((sum, l) => sum + l.product.price * l.count, 0)
}

export function removeChecked() {
  getApp().globalData.cart = cart().filter(l => !l.checked)
  persist()
}
