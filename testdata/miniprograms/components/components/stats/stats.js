Component({
  properties: {
    info: {
      type: Object,
      value: { count: 0, tags: [] }
    },
    extra: {
      type: Number,
      value: 0
    }
  },

  data: {
    infoJson: '',
    deepHits: 0,
    firstTag: '',
    sum: 0
  },

  observers: {
    // Fires for info itself and for any sub-field set by path.
    'info.**'(info) {
      this.setData({ infoJson: JSON.stringify(info), deepHits: this.data.deepHits + 1 })
    },
    'info.tags[0]'(first) {
      this.setData({ firstTag: first || '' })
    },
    'info.count, extra'(count, extra) {
      this.setData({ sum: (count || 0) + extra })
    }
  }
})
