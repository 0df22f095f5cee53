import logger from '../../behaviors/logger'

Component({
  behaviors: [logger],

  relations: {
    '../list/list': {
      type: 'parent',
      linked() {
        this.track('linked')
      },
      unlinked() {
        this.track('unlinked')
      }
    }
  },

  properties: {
    itemId: Number,
    label: {
      type: String,
      value: ''
    },
    price: {
      type: Number,
      value: 0
    }
  },

  methods: {
    logName() {
      // Properties are not set yet in `created`.
      return this.data.label ? `list-item:${this.data.label}` : 'list-item'
    },

    onTap() {
      this.triggerEvent('itemtap', { id: this.data.itemId, label: this.data.label }, { bubbles: true })
    }
  }
})
