package libcompat

import (
	"os/exec"
	"path/filepath"
	"testing"

	"superapp/internal/miniprogram/pack"
)

// TestBigFixtureGenerates runs the big fixture's generator, as the
// cold-start benchmark does, and checks the promise it makes: a project
// whose main package compiles to just under 2 MB and builds.
func TestBigFixtureGenerates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run and several packs")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./testdata/miniprograms/big/gen.go", "-out", out)
	cmd.Dir = filepath.Join("..", "..", "..")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen.go: %v\n%s", err, msg)
	}
	res, err := pack.Build(out, pack.Options{})
	if err != nil {
		t.Fatalf("pack.Build of the generated project:\n%v", err)
	}
	const target, slack = 2_000_000, 50_000
	main := res.Report[0]
	if main.Bytes > target || main.Bytes < target-slack {
		t.Errorf("main package is %d bytes compiled, want within %d below %d", main.Bytes, slack, target)
	}
	if len(res.Manifest.Pages) < 50 || len(res.Manifest.Components) < 30 {
		t.Errorf("%d pages and %d components: the filler should look like a big real app", len(res.Manifest.Pages), len(res.Manifest.Components))
	}
	t.Logf("main package: %d files, %d bytes compiled (limit %d)", main.Files, main.Bytes, main.Limit)
}
