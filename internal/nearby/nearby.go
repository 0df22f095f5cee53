// Package nearby owns the nearby mini programs ("附近的小程序"): the POIs a
// mini program registers (/wxa/addnearbypoi and friends), their audit and
// display status, and the query the shell's "Mini programs nearby" page
// makes — displayed, approved POIs within Policy.Radius of the user,
// nearest first — answered from an in-memory spatial index (index.go) that
// every server rebuilds from storage at start and keeps in step
// (docs/miniprogram-platform.md "Nearby").
package nearby

import (
	"errors"
	"time"

	"superapp/internal/input"
)

// Policy is the per-deployment rule set; DefaultPolicy is WeChat's.
type Policy struct {
	// MaxPerApp is WeChat's max_apply_num: POIs one mini program may have.
	MaxPerApp int `json:"max_per_app"`
	// ManualAudit leaves new POIs in review (status 3) until the operator
	// decides; otherwise they are approved (status 5) at once.
	ManualAudit bool `json:"manual_audit"`
	// Radius is how far the nearby list reaches, in meters. WeChat's 5 km
	// is folklore, not documented (platform-rules.md §3.8).
	Radius float64 `json:"radius_meters"`
	// MaxPageSize bounds one page of the nearby list; MaxResults bounds how
	// deep paging goes (page × page size).
	MaxPageSize int `json:"max_page_size"`
	MaxResults  int `json:"max_results"`
	// RefreshEvery is how often a server reads the POIs changed by other
	// servers into its index (operational, not in the policy file).
	RefreshEvery time.Duration `json:"-"`
	// CellDegrees is the spatial index's grid cell (index.go; an
	// implementation detail, not in the policy file).
	CellDegrees float64 `json:"-"`
}

// DefaultPolicy is WeChat's.
func DefaultPolicy() Policy {
	return Policy{MaxPerApp: 10, Radius: 5000, MaxPageSize: 50, MaxResults: 1000, RefreshEvery: 5 * time.Second, CellDegrees: DefaultCellDegrees}
}

// Audit statuses as WeChat reports them.
const (
	AuditReviewing = 3
	AuditRejected  = 4
	AuditApproved  = 5
)

// AuditStatusName is an audit status in words.
func AuditStatusName(status int) string {
	switch status {
	case AuditReviewing:
		return "in review"
	case AuditRejected:
		return "rejected"
	case AuditApproved:
		return "approved"
	}
	return "unknown"
}

// POI is a place where a mini program shows on the nearby list.
type POI struct {
	ID                int64   `json:"poi_id"`
	AppID             string  `json:"appid"`
	AuditID           string  `json:"audit_id"`
	StoreName         string  `json:"store_name"`
	Address           string  `json:"address"`
	Hour              string  `json:"hour"`
	CompanyName       string  `json:"company_name"`
	ContractPhone     string  `json:"contract_phone"`
	Credential        string  `json:"credential"`
	QualificationList string  `json:"qualification_list"`
	MapPoiID          string  `json:"map_poi_id"`
	KFInfo            string  `json:"kf_info"`
	PicList           string  `json:"pic_list"`
	ServiceInfos      string  `json:"service_infos"`
	IsCommNearby      string  `json:"is_comm_nearby"`
	Latitude          float64 `json:"latitude"`
	Longitude         float64 `json:"longitude"`
	AuditStatus       int     `json:"audit_status"`
	DisplayStatus     int     `json:"display_status"`
	RefuseReason      string  `json:"refuse_reason"`
	CreatedAt         int64   `json:"created_at"`
	UpdatedAt         int64   `json:"updated_at"`
	DeletedAt         int64   `json:"-"`
}

// visible reports whether the nearby list shows p.
func (p *POI) visible() bool {
	return p.DeletedAt == 0 && p.AuditStatus == AuditApproved && p.DisplayStatus == 1
}

func (p *POI) place() *Place {
	return &Place{ID: p.ID, AppID: p.AppID, StoreName: p.StoreName, Address: p.Address, Latitude: p.Latitude, Longitude: p.Longitude}
}

// POIInput is /wxa/addnearbypoi's body as the domain takes it. The
// JSON-valued fields (kf_info, pic_list, service_infos,
// qualification_list) are kept as the text WeChat's API carries.
type POIInput struct {
	StoreName         string
	Address           string
	Hour              string
	CompanyName       string
	ContractPhone     string
	Credential        string
	QualificationList string
	MapPoiID          string
	KFInfo            string
	PicList           string
	ServiceInfos      string
	IsCommNearby      string
	Latitude          *float64
	Longitude         *float64
}

// Errors returned by this package; the wire layer maps them to WeChat's
// errcodes (92000–93014).
var (
	ErrQuotaReached   = errors.New("nearby poi quota reached")                   // 92002
	ErrPlaceTaken     = errors.New("poi is used by another mini program")        // 92003
	ErrAlreadyAdded   = errors.New("poi is already added by this mini program")  // 92000
	ErrIndividual     = errors.New("individual mini programs cannot use nearby") // 93011
	ErrPOINotFound    = errors.New("poi not exist")                              // 93010
	ErrInReview       = errors.New("poi is in review")                           // 92005
	ErrAuditFailed    = errors.New("poi audit failed")                           // 92007
	ErrNotMiniProgram = errors.New("only mini programs have nearby pois")        // 48001 at the wire
	ErrNotInReview    = errors.New("poi is not waiting for a review decision")   // operator
)

// InputError is bad input, naming the field at fault.
type InputError = input.Error

// Page is one page of the nearby list.
type Page struct {
	Items   []Nearby `json:"items"`
	HasMore bool     `json:"has_more"`
}

// Nearby is one entry of the nearby list.
type Nearby struct {
	PoiID     int64   `json:"poi_id"`
	AppID     string  `json:"appid"`
	StoreName string  `json:"store_name"`
	Address   string  `json:"address"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Distance  int64   `json:"distance"` // meters, rounded
}

// POIPage is one page of a mini program's own POIs (getnearbypoilist).
type POIPage struct {
	POIs         []POI
	MaxApplyNum  int
	LeftApplyNum int
}
