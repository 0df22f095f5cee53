// The setData benchmark (bench/miniprogram): each button makes one setData
// on a 1,000-item list and, once the view has applied it (the callback),
// publishes {kind, seq, t0, t1} in #timing — t0 just before setData, t1 in
// its callback, both on the shared clock performance.timeOrigin + now().
const SIZE = 1000
const APPEND = 100

function now() {
  return performance.timeOrigin + performance.now()
}

function items(from, count, label) {
  const list = []
  for (let id = from; id < from + count; id++) {
    list.push({ id, title: `${label} ${id}`, price: (id * 37) % 1000 })
  }
  return list
}

let seq = 0
let round = 0

Page({
  data: {
    list: [],
    timing: ''
  },

  measure(kind, patch) {
    const t0 = now()
    this.setData(patch, () => {
      const t1 = now()
      seq++
      this.setData({ timing: JSON.stringify({ kind, seq, t0, t1 }) })
    })
  },

  onClear() {
    this.measure('clear', { list: [] })
  },

  onInit() {
    round++
    this.measure('init', { list: items(0, SIZE, `item r${round}`) })
  },

  onOne() {
    this.measure('one', { 'list[500].title': `changed r${round}` })
  },

  onReplace() {
    this.measure('replace', { list: items(0, SIZE, `replaced r${round}`) })
  },

  onAppend() {
    this.measure('append', { list: this.data.list.concat(items(this.data.list.length, APPEND, `more r${round}`)) })
  },

  onAppendPaths() {
    const patch = {}
    const from = this.data.list.length
    for (const item of items(from, APPEND, `path r${round}`)) patch[`list[${item.id}]`] = item
    this.measure('appendPaths', patch)
  },

  onItem(e) {
    wx.showToast({ title: `#${e.currentTarget.dataset.id}`, icon: 'none' })
  }
})
