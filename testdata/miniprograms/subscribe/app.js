// The template ids to ask for come from the launch query (tmpl=a,b): the
// platform gives every deployment its own template ids.
App({
  globalData: { tmplIds: [] },
  onLaunch(options) {
    const tmpl = (options.query && options.query.tmpl) || '';
    this.globalData.tmplIds = tmpl ? decodeURIComponent(tmpl).split(',') : [];
  },
});
