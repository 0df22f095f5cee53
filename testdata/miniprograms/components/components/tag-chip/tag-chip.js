Component({
  properties: {
    text: String
  },

  methods: {
    onTap() {
      // Crosses the card's boundary and reaches the page.
      this.triggerEvent('chiptap', { text: this.data.text }, { bubbles: true, composed: true })
      // Bubbles inside the card's template only.
      this.triggerEvent('chiplocal', { text: this.data.text }, { bubbles: true })
    }
  }
})
