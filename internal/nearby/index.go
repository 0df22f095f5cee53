package nearby

import (
	"math"
	"sort"
	"sync"
)

// Index is an in-memory spatial index of the POIs the nearby list may show,
// answering "the k nearest within r meters of (lat, lng)".
//
// Why a grid: the query is small (Policy.Radius, 5 km by default) and k is
// small (a few pages of results), so a grid of cells about CellDegrees on a
// side (default 0.005°, ≈ 556 m north–south) searched outwards from the
// query touches only the cells that can hold an answer: in a dense city the
// nearest 20 are in the first few cells, in the countryside a 5 km search
// looks up a few hundred cells, most absent from the map. Inserts and
// deletes cost O(points in one cell), where a k-d tree would need
// rebalancing and a sorted S2-style cell array O(n) moves. Rows of cells
// follow parallels; each row has as many cells as keep them about as wide
// as high (fewer toward the poles), so no query — not even at a pole —
// walks thousands of empty cells. Points are kept as unit vectors: a
// candidate costs three multiplications (the squared chord, which orders
// points exactly like great-circle distance) and only answers are turned
// into meters. The search widens step by step and stops once the k-th
// best is closer than any unvisited cell can be (a true lower bound on the
// sphere, see Nearest), so the answer equals a brute force over all points
// (index_test.go checks this on random data).
type Index struct {
	mu    sync.RWMutex
	cell  float64   // row height in degrees
	nLat  int64     // rows from pole to pole
	rowN  []int64   // cells in each row
	rowCP []float64 // cosine of each row's poleward edge
	cells map[uint64][]point
	byID  map[int64]*Place
	// where remembers each place's cell for removal.
	where map[int64]uint64
}

// Place is what the index returns for a hit.
type Place struct {
	ID        int64
	AppID     string
	StoreName string
	Address   string
	Latitude  float64
	Longitude float64
}

type point struct {
	x, y, z float64
	p       *Place
}

// Hit is a place and its distance from the query in meters.
type Hit struct {
	Place    *Place
	Distance float64
}

// EarthRadius is the mean Earth radius in meters (IUGG), the sphere every
// distance here is measured on.
const EarthRadius = 6371008.8

// DefaultCellDegrees is the grid's cell side.
const DefaultCellDegrees = 0.005

// NewIndex returns an empty index with cells of cellDegrees (≤ 1).
func NewIndex(cellDegrees float64) *Index {
	if cellDegrees <= 0 || cellDegrees > 1 {
		cellDegrees = DefaultCellDegrees
	}
	ix := &Index{
		cell:  cellDegrees,
		nLat:  int64(math.Ceil(180 / cellDegrees)),
		cells: map[uint64][]point{},
		byID:  map[int64]*Place{},
		where: map[int64]uint64{},
	}
	ix.rowN = make([]int64, ix.nLat)
	ix.rowCP = make([]float64, ix.nLat)
	for la := range ix.nLat {
		south, north := float64(la)*cellDegrees-90, math.Min(90, float64(la+1)*cellDegrees-90)
		cp := math.Max(0, math.Cos(math.Max(math.Abs(south), math.Abs(north))*math.Pi/180))
		ix.rowCP[la] = cp
		ix.rowN[la] = max(1, int64(math.Floor(360*cp/cellDegrees)))
	}
	return ix
}

// Len is the number of places indexed.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byID)
}

func (ix *Index) row(lat float64) int64 {
	return min(ix.nLat-1, max(0, int64(math.Floor((lat+90)/ix.cell))))
}

// column is the (unwrapped) cell of longitude lng in row la: cells are
// 360/rowN[la] degrees wide, starting at -180.
func (ix *Index) column(la int64, lng float64) int64 {
	return int64(math.Floor((lng + 180) / 360 * float64(ix.rowN[la])))
}

func (ix *Index) cellOf(lat, lng float64) (int64, int64) {
	la := ix.row(lat)
	n := ix.rowN[la]
	return la, ((ix.column(la, lng) % n) + n) % n
}

func key(la, lo int64) uint64 { return uint64(la)<<32 | uint64(lo) }

func unit(lat, lng float64) (x, y, z float64) {
	φ, λ := lat*math.Pi/180, lng*math.Pi/180
	c := math.Cos(φ)
	return c * math.Cos(λ), c * math.Sin(λ), math.Sin(φ)
}

// Put adds p, replacing an entry with the same ID.
func (ix *Index) Put(p *Place) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.put(p)
}

// PutAll adds many places under one lock (start-up and refresh).
func (ix *Index) PutAll(ps []*Place) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, p := range ps {
		ix.put(p)
	}
}

func (ix *Index) put(p *Place) {
	if _, ok := ix.byID[p.ID]; ok {
		ix.remove(p.ID)
	}
	la, lo := ix.cellOf(p.Latitude, p.Longitude)
	k := key(la, lo)
	x, y, z := unit(p.Latitude, p.Longitude)
	ix.cells[k] = append(ix.cells[k], point{x, y, z, p})
	ix.byID[p.ID] = p
	ix.where[p.ID] = k
}

// Remove drops the place with id, if indexed.
func (ix *Index) Remove(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(id)
}

func (ix *Index) remove(id int64) {
	k, ok := ix.where[id]
	if !ok {
		return
	}
	pts := ix.cells[k]
	for i := range pts {
		if pts[i].p.ID == id {
			last := len(pts) - 1
			pts[i] = pts[last]
			pts[last] = point{}
			pts = pts[:last]
			break
		}
	}
	if len(pts) == 0 {
		delete(ix.cells, k)
	} else {
		ix.cells[k] = pts
	}
	delete(ix.byID, id)
	delete(ix.where, id)
}

// chordOf is the straight-line distance through the unit sphere that a
// great-circle distance of meters corresponds to.
func chordOf(meters float64) float64 {
	a := meters / EarthRadius
	if a >= math.Pi {
		return 2
	}
	return 2 * math.Sin(a/2)
}

func metersOf(chord float64) float64 {
	if chord >= 2 {
		return math.Pi * EarthRadius
	}
	return 2 * EarthRadius * math.Asin(chord/2)
}

// Distance is the great-circle distance in meters between two points.
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	x1, y1, z1 := unit(lat1, lng1)
	x2, y2, z2 := unit(lat2, lng2)
	dx, dy, dz := x1-x2, y1-y2, z1-z2
	return metersOf(math.Sqrt(dx*dx + dy*dy + dz*dz))
}

// best keeps the k smallest squared chords seen: a max-heap on c2.
type best struct {
	k  int
	hs []cand
}

type cand struct {
	c2 float64
	p  *Place
}

func (b *best) full() bool     { return len(b.hs) >= b.k }
func (b *best) worst() float64 { return b.hs[0].c2 }

func (b *best) offer(c2 float64, p *Place) {
	if len(b.hs) < b.k {
		b.hs = append(b.hs, cand{c2, p})
		// sift up
		i := len(b.hs) - 1
		for i > 0 {
			parent := (i - 1) / 2
			if !b.less(parent, i) {
				break
			}
			b.hs[parent], b.hs[i] = b.hs[i], b.hs[parent]
			i = parent
		}
		return
	}
	if !b.before(c2, p, b.hs[0]) {
		return
	}
	b.hs[0] = cand{c2, p}
	i, n := 0, len(b.hs)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && b.less(l, r) {
			m = r
		}
		if !b.less(i, m) {
			break
		}
		b.hs[i], b.hs[m] = b.hs[m], b.hs[i]
		i = m
	}
}

// before orders candidates by distance, then by id, so equal distances
// (two stores in one building) page deterministically.
func (b *best) before(c2 float64, p *Place, o cand) bool {
	if c2 != o.c2 {
		return c2 < o.c2
	}
	return p.ID < o.p.ID
}

func (b *best) less(i, j int) bool { return b.before(b.hs[i].c2, b.hs[i].p, b.hs[j]) }

// Nearest returns up to k places within radius meters of (lat, lng),
// nearest first (ties by id).
//
// The search runs in steps r = 0, 1, 2, …: step r covers the rows within r
// of the query's row and, in each, the columns within a longitude span
// wide enough that every point of the row outside it is at least r rows'
// height away. What has not been visited is then at least bound away:
// rows beyond the window by the meridian distance to its edge; columns
// outside a row's span by the haversine identity
// hav(d) = hav(Δφ) + cos φ₁ cos φ₂ hav(Δλ) ≥ cos φ₁ · cos φ_poleward · hav(Δλ).
func (ix *Index) Nearest(lat, lng, radius float64, k int) []Hit {
	if k <= 0 || radius <= 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	qx, qy, qz := unit(lat, lng)
	limit := chordOf(radius)
	limit2 := limit * limit
	b := best{k: k, hs: make([]cand, 0, min(k, 64))}
	cosQ := math.Cos(lat * math.Pi / 180)
	la0 := ix.row(lat)
	rowMeters := ix.cell * math.Pi / 180 * EarthRadius

	// A span is a row's visited columns [lo, hi], unwrapped.
	type span struct{ lo, hi int64 }
	// north[j] is row la0+j; south[j] row la0-j (south[0] unused: row la0
	// is north[0]).
	north, south := make([]span, 0, 16), make([]span, 1, 16)
	scanRow := func(la, lo, hi int64) {
		n := ix.rowN[la]
		for c := lo; c <= hi; c++ {
			for _, pt := range ix.cells[key(la, ((c%n)+n)%n)] {
				dx, dy, dz := pt.x-qx, pt.y-qy, pt.z-qz
				if c2 := dx*dx + dy*dy + dz*dz; c2 <= limit2 {
					b.offer(c2, pt.p)
				}
			}
		}
	}
	// widen brings row la's span to cover every column within reach
	// meters (or the whole row) and returns the lower bound on the distance
	// to the columns still outside it.
	widen := func(la int64, sp *span, fresh bool, reach float64) float64 {
		n := ix.rowN[la]
		c := ix.rowCP[la] * cosQ
		var lo, hi int64
		h := hav(reach / EarthRadius)
		if c <= 0 || h >= c {
			lo, hi = ix.column(la, lng)-n/2, ix.column(la, lng)-n/2+n-1 // the whole row
		} else {
			Δ := 2 * math.Asin(math.Sqrt(h/c)) * 180 / math.Pi
			lo, hi = ix.column(la, lng-Δ), ix.column(la, lng+Δ)
			if hi-lo+1 > n {
				lo, hi = ix.column(la, lng)-n/2, ix.column(la, lng)-n/2+n-1
			}
		}
		switch {
		case fresh:
			scanRow(la, lo, hi)
			*sp = span{lo, hi}
		default:
			if hi-lo+1 >= n { // whole row: visit what is left of it
				scanRow(la, sp.hi+1, sp.lo+n-1)
				*sp = span{sp.lo, sp.lo + n - 1}
			} else {
				if lo < sp.lo {
					scanRow(la, lo, sp.lo-1)
					sp.lo = lo
				}
				if hi > sp.hi {
					scanRow(la, sp.hi+1, hi)
					sp.hi = hi
				}
			}
		}
		if sp.hi-sp.lo+1 >= n {
			return math.Inf(1)
		}
		w := 360 / float64(n)
		west := float64(sp.lo)*w - 180
		east := float64(sp.hi+1)*w - 180
		Δ := math.Min(lng-west, east-lng)
		if Δ >= 180 {
			return math.Inf(1)
		}
		return 2 * math.Asin(math.Sqrt(math.Min(1, c*hav(Δ*math.Pi/180)))) * EarthRadius
	}
	for r := int64(0); ; r++ {
		reach := float64(r) * rowMeters
		bound := math.Inf(1)
		// Rows already in the window widen; rows la0±r join it.
		for j := int64(0); j <= r; j++ {
			if la := la0 + j; la < ix.nLat {
				if j == int64(len(north)) {
					north = append(north, span{})
					bound = math.Min(bound, widen(la, &north[j], true, reach))
				} else {
					bound = math.Min(bound, widen(la, &north[j], false, reach))
				}
			}
			if la := la0 - j; j > 0 && la >= 0 {
				if j == int64(len(south)) {
					south = append(south, span{})
					bound = math.Min(bound, widen(la, &south[j], true, reach))
				} else {
					bound = math.Min(bound, widen(la, &south[j], false, reach))
				}
			}
		}
		// Rows beyond the window.
		if la0+r+1 < ix.nLat {
			bound = math.Min(bound, (float64(la0+r+1)*ix.cell-90-lat)*math.Pi/180*EarthRadius)
		}
		if la0-r > 0 {
			bound = math.Min(bound, (lat-(float64(la0-r)*ix.cell-90))*math.Pi/180*EarthRadius)
		}
		if bound > radius {
			break
		}
		if b.full() {
			c := chordOf(bound)
			if b.worst() <= c*c {
				break
			}
		}
	}
	sort.Slice(b.hs, func(i, j int) bool { return b.less(i, j) })
	out := make([]Hit, len(b.hs))
	for i, c := range b.hs {
		out[i] = Hit{Place: c.p, Distance: metersOf(math.Sqrt(c.c2))}
	}
	return out
}

// hav is the haversine, sin²(θ/2).
func hav(θ float64) float64 {
	s := math.Sin(θ / 2)
	return s * s
}
