App({
  onLaunch() {
    console.log('components fixture launched')
  }
})
