package release

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkResolve resolves launches across 1,000 apps, each with a
// running gray plan at 10 % with 100 named users and members, from
// parallel goroutines: the per-launch cost the contract bounds (≤ 50 µs).
// One app goes through the whole path in the database; the other 999 get
// copies of its snapshot under their own appids (Resolve reads memory
// only, so how the snapshots were built does not matter to it).
func BenchmarkResolve(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, DefaultPolicy())
	f.approved(b, "1.0")
	if _, err := f.s.Release(ctx, f.appid); err != nil {
		b.Fatal(err)
	}
	f.approved(b, "2.0")
	named := make([]string, 100)
	for i := range named {
		named[i] = fmt.Sprintf("o-named-%03d-xxxxxxxxxxxxxxxxxx", i)
	}
	if _, err := f.s.Gray(ctx, f.appid, GrayInput{Percentage: 10, ExperiencerFirst: true, NamedOpenIDs: named}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := f.s.AddMember(ctx, f.appid, fmt.Sprintf("u-member-%d", i), RoleTrial); err != nil {
			b.Fatal(err)
		}
	}
	base, err := f.s.snapshotOf(f.appid)
	if err != nil {
		b.Fatal(err)
	}
	apps := make([]string, 1000)
	apps[0] = f.appid
	for i := 1; i < len(apps); i++ {
		apps[i] = fmt.Sprintf("wx%016x", i)
		f.s.snaps.Store(apps[i], base)
	}
	// Users: mostly ordinary ones (bucketed), some named, some members.
	type launch struct{ user, openid string }
	launches := make([]launch, 4096)
	for i := range launches {
		switch {
		case i%16 == 0:
			launches[i] = launch{"u-x", named[i%len(named)]}
		case i%16 == 1:
			launches[i] = launch{fmt.Sprintf("u-member-%d", i%20), fmt.Sprintf("o-member-%d-xxxxxxxxxxxxxxxxx", i)}
		default:
			launches[i] = launch{fmt.Sprintf("u-%d", i), fmt.Sprintf("o%027d", i)}
		}
	}
	var seq atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := seq.Add(1_000_003)
		for pb.Next() {
			n++
			l := launches[n%uint64(len(launches))]
			if _, err := f.s.Resolve(apps[n%uint64(len(apps))], l.user, l.openid, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
