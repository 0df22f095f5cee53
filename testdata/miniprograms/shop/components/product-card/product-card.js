Component({
  properties: {
    product: {
      type: Object,
      value: {}
    }
  }
})
