// Shared by card and list-item: data, a method and lifetimes that record
// themselves in the lifecycle log.
import { log } from '../utils/log'

export default Behavior({
  data: {
    behaviorName: 'logger'
  },

  methods: {
    track(event) {
      log(`${this.logName()}.${event}`)
    },

    // Components override this to say who they are.
    logName() {
      return 'component'
    }
  },

  lifetimes: {
    created() {
      this.track('created')
    },
    attached() {
      this.track('attached')
    },
    ready() {
      this.track('ready')
    },
    detached() {
      this.track('detached')
    }
  }
})
