package main

// The operator's queue of nearby POIs: under the policy
// nearby.manual_audit, POIs mini programs add with /wxa/addnearbypoi wait
// in review until `superapp nearby approve|reject` decides them
// (docs/miniprogram-platform.md "Nearby").

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"

	"superapp/internal/nearby"
)

func init() {
	register("nearby reviews", "list the nearby POIs waiting for review (policy nearby.manual_audit), oldest first", nearbyReviews)
	register("nearby approve", "approve a nearby POI in review; it shows on the nearby list (nearby approve POI_ID)", nearbyApprove)
	register("nearby reject", "reject a nearby POI in review with a reason the developer reads (nearby reject POI_ID --reason …)", nearbyReject)
}

// nearbyPOIView is a POI as the admin API answers it.
type nearbyPOIView struct {
	PoiID         int64   `json:"poi_id"`
	AppID         string  `json:"appid"`
	AppName       string  `json:"app_name"`
	StoreName     string  `json:"store_name"`
	Address       string  `json:"address"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	SubmittedAt   int64   `json:"submitted_at"`
	AuditStatus   int     `json:"audit_status"`
	DisplayStatus int     `json:"display_status"`
	RefuseReason  string  `json:"refuse_reason"`
}

// nearbyQueueView is GET /admin/v1/nearby/reviews's answer.
type nearbyQueueView struct {
	Total int             `json:"total"`
	POIs  []nearbyPOIView `json:"pois"`
}

func nearbyReviews(args []string, stdout io.Writer) error {
	fs := newFlags("nearby reviews", "nearby reviews [--limit N]", stdout)
	limit := fs.Int("limit", 100, "list at most this many, the oldest first (1 to 1000)")
	cf := addClientFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > nearby.MaxInReview {
		return usagef("--limit %d: must be between 1 and %d", *limit, nearby.MaxInReview)
	}
	path := "/admin/v1/nearby/reviews?limit=" + url.QueryEscape(strconv.Itoa(*limit))
	return answer(cf, stdout, "GET", path, nil, func(w io.Writer, q *nearbyQueueView) error {
		if len(q.POIs) == 0 {
			_, err := fmt.Fprintln(w, "no nearby POIs are waiting for review")
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "POI_ID\tAPPID\tAPP\tSTORE\tADDRESS\tLAT,LNG\tSUBMITTED")
		for _, p := range q.POIs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%.6f,%.6f\t%s\n", p.PoiID, p.AppID, p.AppName, p.StoreName, p.Address,
				p.Latitude, p.Longitude, reviewTime(p.SubmittedAt))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if q.Total > len(q.POIs) {
			_, err := fmt.Fprintf(w, "the oldest %d of %d; --limit lists more (up to 1000)\n", len(q.POIs), q.Total)
			return err
		}
		return nil
	})
}

func nearbyApprove(args []string, stdout io.Writer) error {
	fs := newFlags("nearby approve", "nearby approve POI_ID", stdout)
	cf := addClientFlags(fs)
	id, err := parseWithID(fs, args, "POI id", "nearby reviews")
	if err != nil {
		return err
	}
	return nearbyDecide(cf, stdout, "/admin/v1/nearby/pois/"+id+"/approve", map[string]any{})
}

func nearbyReject(args []string, stdout io.Writer) error {
	fs := newFlags("nearby reject", `nearby reject POI_ID --reason "…"`, stdout)
	reason := fs.String("reason", "", "why the POI is rejected; the developer reads it as refuse_reason (required, at most 200 characters)")
	cf := addClientFlags(fs)
	id, err := parseWithID(fs, args, "POI id", "nearby reviews")
	if err != nil {
		return err
	}
	if err := required("reason", *reason); err != nil {
		return err
	}
	return nearbyDecide(cf, stdout, "/admin/v1/nearby/pois/"+id+"/reject", map[string]any{"reason": *reason})
}

func nearbyDecide(cf clientFlags, stdout io.Writer, path string, body any) error {
	return answer(cf, stdout, "POST", path, body, func(w io.Writer, p *nearbyPOIView) error {
		fmt.Fprintf(w, "%s POI %d %q of %s (%s)\n", nearby.AuditStatusName(p.AuditStatus), p.PoiID, p.StoreName, p.AppID, p.AppName)
		if p.AuditStatus == nearby.AuditApproved {
			_, err := fmt.Fprintln(w, "it is on the nearby list now (display_status 1)")
			return err
		}
		_, err := fmt.Fprintf(w, "the developer reads the reason as refuse_reason in /wxa/getnearbypoilist: %s\n", p.RefuseReason)
		return err
	})
}
