import { log } from '../../utils/log'

const ITEM = '../list-item/list-item'

Component({
  relations: {
    [ITEM]: {
      type: 'child',
      linked(target) {
        log(`list.linked:${target.data.label}`)
        this.updateCount()
      },
      unlinked(target) {
        log(`list.unlinked:${target.data.label}`)
        this.updateCount()
      }
    }
  },

  data: {
    count: 0
  },

  lifetimes: {
    created() {
      log('list.created')
    },
    attached() {
      log('list.attached')
    },
    ready() {
      log('list.ready')
    }
  },

  methods: {
    updateCount() {
      this.setData({ count: this.getRelationNodes(ITEM).length })
    },

    // Called by the page through selectComponent('#list').
    getLabels() {
      return this.getRelationNodes(ITEM).map(node => node.data.label)
    }
  }
})
