package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"superapp/internal/account"
	"superapp/internal/officialaccount"
	"superapp/internal/quota"
)

// LoadPolicyFile applies a deployment's policy file over the given defaults.
// Fields left out keep WeChat's values; quota.daily entries are merged into
// the default table (a limit of -1 removes an endpoint's limit). Unknown
// fields are errors, so a typo cannot silently leave a default in force.
func LoadPolicyFile(path string, accounts *account.Policy, quotas *quota.Policy, oa *officialaccount.Policy) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("policy file: %w", err)
	}
	var file struct {
		Accounts json.RawMessage `json:"accounts"`
		OA       json.RawMessage `json:"official_accounts"`
		Quota    *struct {
			Daily          map[string]int64 `json:"daily"`
			ResetsPerMonth *int             `json:"resets_per_month"`
		} `json:"quota"`
	}
	if err := strictDecode(raw, &file); err != nil {
		return fmt.Errorf("policy file %s: %v", path, err)
	}
	if len(file.Accounts) > 0 {
		if err := strictDecode(file.Accounts, accounts); err != nil {
			return fmt.Errorf("policy file %s: accounts: %v", path, err)
		}
	}
	if len(file.OA) > 0 {
		if err := strictDecode(file.OA, oa); err != nil {
			return fmt.Errorf("policy file %s: official_accounts: %v", path, err)
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
