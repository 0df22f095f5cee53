package devloop

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"superapp/internal/miniprogram/project"
)

// stamp is what tells a file changed without reading it.
type stamp struct {
	size  int64
	mtime time.Time
}

// snapshot is every watched file of a project, by slash path relative to
// the project directory.
type snapshot map[string]stamp

// Watcher finds changed files in a project directory by polling (no
// dependency on an OS notification API): every file's size and mtime,
// skipping what a build never reads — dotfiles, node_modules, files
// outside the mini program root, and files packOptions.ignore leaves out.
// A burst of changes (an editor saving several files, or writing one in
// steps) is reported once, when it has been quiet for the debounce time.
type Watcher struct {
	dir      string
	interval time.Duration
	debounce time.Duration

	last       snapshot
	pending    map[string]bool
	lastChange time.Time
}

// NewWatcher returns a watcher of dir whose baseline is dir as it is now.
func NewWatcher(dir string, interval, debounce time.Duration) *Watcher {
	w := &Watcher{dir: dir, interval: interval, debounce: debounce, pending: map[string]bool{}}
	w.last = w.scan()
	return w
}

// Poll scans the directory at time now. It returns the files changed
// (created, modified or deleted, sorted) once a burst has settled, else
// nil; and how long to wait before polling again: the debounce time while
// a burst is pending, else the polling interval.
func (w *Watcher) Poll(now time.Time) (changed []string, next time.Duration) {
	cur := w.scan()
	if diff := changedFiles(w.last, cur); len(diff) > 0 {
		for _, f := range diff {
			w.pending[f] = true
		}
		w.last = cur
		w.lastChange = now
		return nil, w.debounce
	}
	if len(w.pending) == 0 {
		return nil, w.interval
	}
	if quiet := now.Sub(w.lastChange); quiet < w.debounce {
		return nil, w.debounce - quiet
	}
	for f := range w.pending {
		changed = append(changed, f)
	}
	sort.Strings(changed)
	w.pending = map[string]bool{}
	return changed, w.interval
}

func changedFiles(a, b snapshot) []string {
	var out []string
	for f, s := range b {
		if old, ok := a[f]; !ok || old != s {
			out = append(out, f)
		}
	}
	for f := range a {
		if _, ok := b[f]; !ok {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// scan lists the watched files. An unreadable entry is skipped: the next
// scan sees it again, and the build reports what is really wrong.
func (w *Watcher) scan() snapshot {
	// A broken configuration gives what could be read; the build reports it.
	cfg, _ := project.ReadConfig(w.dir)
	out := snapshot{}
	if st, err := os.Stat(filepath.Join(w.dir, project.ConfigFile)); err == nil {
		out[project.ConfigFile] = stamp{st.Size(), st.ModTime()}
	}
	root := filepath.Join(w.dir, filepath.FromSlash(cfg.MiniprogramRoot))
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || (d.IsDir() && name == "node_modules") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if cfg.Ignore.Match(rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		out[cfg.MiniprogramRoot+rel] = stamp{info.Size(), info.ModTime()}
		return nil
	})
	return out
}
