import logger from '../../behaviors/logger'

Component({
  behaviors: [logger],

  options: {
    multipleSlots: true
  },

  externalClasses: ['title-class'],

  properties: {
    title: {
      type: String,
      value: '默认标题',
      observer(newVal, oldVal) {
        this.track(`observer:title=${newVal}`)
      }
    },
    badge: {
      type: Number,
      value: 0
    }
  },

  data: {
    summary: '',
    chipLocalCount: 0
  },

  observers: {
    'title, badge'(title, badge) {
      this.setData({ summary: `${title}(${badge})` })
    }
  },

  pageLifetimes: {
    show() {
      this.track('pageShow')
    },
    hide() {
      this.track('pageHide')
    }
  },

  methods: {
    logName() {
      return 'card'
    },

    onAction() {
      // Not bubbling: only a handler on the <card> tag itself sees it.
      this.triggerEvent('action', { title: this.data.title })
    },

    onChipLocal() {
      this.setData({ chipLocalCount: this.data.chipLocalCount + 1 })
    }
  }
})
