package nearby

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// bruteNearest is the definition Nearest must meet: every place within
// radius, by distance then id, the first k.
func bruteNearest(places []*Place, lat, lng, radius float64, k int) []Hit {
	var hits []Hit
	for _, p := range places {
		if d := Distance(lat, lng, p.Latitude, p.Longitude); d <= radius {
			hits = append(hits, Hit{p, d})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Distance != hits[j].Distance {
			return hits[i].Distance < hits[j].Distance
		}
		return hits[i].Place.ID < hits[j].Place.ID
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

func sameHits(t *testing.T, what string, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, brute force %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i].Place.ID != want[i].Place.ID && math.Abs(got[i].Distance-want[i].Distance) > 1e-6 {
			t.Fatalf("%s: hit %d = place %d at %.3f m, brute force place %d at %.3f m", what, i, got[i].Place.ID, got[i].Distance, want[i].Place.ID, want[i].Distance)
		}
		if math.Abs(got[i].Distance-want[i].Distance) > 1e-6 {
			t.Fatalf("%s: hit %d distance %.6f, brute force %.6f", what, i, got[i].Distance, want[i].Distance)
		}
	}
}

// TestIndexMatchesBruteForce is a property test: on random data in
// several shapes — a dense city, a sparse country, clusters straddling
// the antimeridian and near a pole, duplicates at one spot — every query
// answers exactly what a scan of all points answers, for several k and
// radii, also after random removals and moves.
func TestIndexMatchesBruteForce(t *testing.T) {
	type region struct {
		name                string
		lat, lng, spreadDeg float64
		n                   int
		queries             int
		radii               []float64
	}
	regions := []region{
		{"dense city", 31.23, 121.47, 0.2, 20000, 300, []float64{300, 5000}},
		{"sparse country", 35, 105, 15, 5000, 300, []float64{5000, 50000}},
		{"antimeridian", -16.5, 179.99, 0.1, 3000, 200, []float64{5000}},
		{"near the pole", 89.97, 0, 0.05, 2000, 200, []float64{5000}},
		{"equator, cell edges", 0, 0, 0.02, 3000, 200, []float64{1000, 5000}},
	}
	for seed, rg := range regions {
		t.Run(rg.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(uint64(seed), 7))
			coord := func() (float64, float64) {
				lat := rg.lat + (rnd.Float64()*2-1)*rg.spreadDeg
				lng := rg.lng + (rnd.Float64()*2-1)*rg.spreadDeg
				lat = math.Max(-90, math.Min(90, lat))
				if lng > 180 {
					lng -= 360
				} else if lng < -180 {
					lng += 360
				}
				return lat, lng
			}
			ix := NewIndex(DefaultCellDegrees)
			var places []*Place
			for i := 0; i < rg.n; i++ {
				lat, lng := coord()
				if i%50 == 1 { // several places at exactly one spot
					lat, lng = places[0].Latitude, places[0].Longitude
				}
				p := &Place{ID: int64(i + 1), Latitude: lat, Longitude: lng}
				places = append(places, p)
			}
			ix.PutAll(places)
			check := func(round string) {
				for q := 0; q < rg.queries; q++ {
					lat, lng := coord()
					r := rg.radii[q%len(rg.radii)]
					k := []int{1, 20, 51, 300}[q%4]
					sameHits(t, round, ix.Nearest(lat, lng, r, k), bruteNearest(places, lat, lng, r, k))
				}
			}
			check("initial")
			// Remove a third and move a third.
			kept := places[:0]
			for _, p := range places {
				switch rnd.IntN(3) {
				case 0:
					ix.Remove(p.ID)
				case 1:
					lat, lng := coord()
					moved := &Place{ID: p.ID, Latitude: lat, Longitude: lng}
					ix.Put(moved)
					kept = append(kept, moved)
				default:
					kept = append(kept, p)
				}
			}
			places = kept
			if ix.Len() != len(places) {
				t.Fatalf("Len = %d after changes, want %d", ix.Len(), len(places))
			}
			check("after removals and moves")
		})
	}
}

func TestDistanceKnownValues(t *testing.T) {
	// One degree of latitude on the mean sphere, and Shanghai–Beijing
	// (≈ 1,067 km great-circle).
	if d := Distance(0, 0, 1, 0); math.Abs(d-111195.08) > 0.1 {
		t.Fatalf("1° of latitude = %.2f m", d)
	}
	if d := Distance(31.2304, 121.4737, 39.9042, 116.4074); math.Abs(d-1067e3) > 3e3 {
		t.Fatalf("Shanghai–Beijing = %.0f m", d)
	}
	if d := Distance(10, 179.999, 10, -179.999); d > 250 {
		t.Fatalf("across the antimeridian = %.0f m", d)
	}
}

func TestNearestRespectsRadiusAndK(t *testing.T) {
	ix := NewIndex(0)
	// Places due north of the origin at 1, 3 and 8 km.
	for i, km := range []float64{3, 1, 8} {
		ix.Put(&Place{ID: int64(i + 1), Latitude: km * 1000 / 111195.08, Longitude: 0})
	}
	hits := ix.Nearest(0, 0, 5000, 10)
	if len(hits) != 2 || hits[0].Place.ID != 2 || hits[1].Place.ID != 1 {
		t.Fatalf("within 5 km = %+v, want places 2 (1 km) then 1 (3 km)", hits)
	}
	if math.Abs(hits[0].Distance-1000) > 0.01 || math.Abs(hits[1].Distance-3000) > 0.01 {
		t.Fatalf("distances %.3f, %.3f", hits[0].Distance, hits[1].Distance)
	}
	if got := ix.Nearest(0, 0, 5000, 1); len(got) != 1 || got[0].Place.ID != 2 {
		t.Fatalf("k=1: %+v", got)
	}
	ix.Remove(2)
	if got := ix.Nearest(0, 0, 5000, 10); len(got) != 1 || got[0].Place.ID != 1 {
		t.Fatalf("after removing the nearest: %+v", got)
	}
}

// TestIndexConcurrentUse queries while places are added and removed (run
// with -race): readers never see a half-applied change.
func TestIndexConcurrentUse(t *testing.T) {
	ix := NewIndex(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			ix.Put(&Place{ID: int64(i % 300), Latitude: 31.2 + float64(i%97)*1e-4, Longitude: 121.4 + float64(i%89)*1e-4})
			if i%3 == 0 {
				ix.Remove(int64(i % 200))
			}
		}
	}()
	for {
		select {
		case <-done:
			if ix.Len() > 300 {
				t.Fatalf("Len = %d, more than the 300 ids used", ix.Len())
			}
			return
		default:
			for _, h := range ix.Nearest(31.2, 121.4, 5000, 20) {
				if h.Distance > 5000 {
					t.Fatalf("hit at %.0f m outside the radius", h.Distance)
				}
			}
		}
	}
}
