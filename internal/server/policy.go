package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"superapp/internal/platform"
)

// LoadPolicyFile applies a deployment's policy file over the given defaults.
// Fields left out keep WeChat's values; quota.daily entries are merged into
// the default table (a limit of -1 removes an endpoint's limit). Unknown
// fields are errors, so a typo cannot silently leave a default in force.
func LoadPolicyFile(path string, opts *platform.Options) error {
	quotas := &opts.QuotaPolicy
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("policy file: %w", err)
	}
	var file struct {
		Accounts  json.RawMessage `json:"accounts"`
		OA        json.RawMessage `json:"official_accounts"`
		Releases  json.RawMessage `json:"releases"`
		Codes     json.RawMessage `json:"codes"`
		Subscribe json.RawMessage `json:"subscribe_messages"`
		Nearby    json.RawMessage `json:"nearby"`
		Quota     *struct {
			Daily          map[string]int64 `json:"daily"`
			ResetsPerMonth *int             `json:"resets_per_month"`
		} `json:"quota"`
	}
	if err := strictDecode(raw, &file); err != nil {
		return fmt.Errorf("policy file %s: %v", path, err)
	}
	for _, part := range []struct {
		name string
		raw  json.RawMessage
		into any
	}{
		{"accounts", file.Accounts, &opts.AccountPolicy},
		{"official_accounts", file.OA, &opts.OAPolicy},
		{"releases", file.Releases, &opts.ReleasePolicy},
		{"codes", file.Codes, &opts.CodePolicy},
		{"subscribe_messages", file.Subscribe, &opts.SubMsgPolicy},
		{"nearby", file.Nearby, &opts.NearbyPolicy},
	} {
		if len(part.raw) > 0 {
			if err := strictDecode(part.raw, part.into); err != nil {
				return fmt.Errorf("policy file %s: %s: %v", path, part.name, err)
			}
		}
	}
	if file.Quota != nil {
		daily := make(map[string]int64, len(quotas.Daily))
		for k, v := range quotas.Daily {
			daily[k] = v
		}
		for k, v := range file.Quota.Daily {
			switch {
			case v == -1:
				delete(daily, k)
			case v < 0:
				return fmt.Errorf("policy file %s: quota.daily[%q] = %d: use a limit ≥ 0, or -1 for none", path, k, v)
			default:
				daily[k] = v
			}
		}
		quotas.Daily = daily
		if r := file.Quota.ResetsPerMonth; r != nil {
			if *r < 0 {
				return fmt.Errorf("policy file %s: quota.resets_per_month must be ≥ 0", path)
			}
			quotas.ResetsPerMonth = *r
		}
	}
	return nil
}

func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
