package subscribemsg

import (
	"context"

	"superapp/internal/release"
)

// ReleasePages tells the pages of a mini program's versions from the
// release domain: develop → the newest dev version, trial → the trial
// version, release → the online version. Without such a version (an app
// still on issue 4's dev-mode builds) the page is not checked.
func ReleasePages(r *release.Service) Pages {
	if r == nil {
		return nil
	}
	return func(ctx context.Context, appid, env string) ([]string, bool) {
		var v *release.Version
		switch env {
		case "develop":
			if list, err := r.DevVersions(ctx, appid); err == nil && len(list) > 0 {
				v = &list[0]
			}
		case "trial":
			v, _, _ = r.Trial(ctx, appid)
		default:
			if st, err := r.State(ctx, appid); err == nil && st != nil {
				v = st.Online
			}
		}
		if v == nil || len(v.Pages) == 0 {
			return nil, false
		}
		return v.Pages, true
	}
}
