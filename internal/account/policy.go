package account

// Policy holds the per-deployment limits on subjects, apps and open-platform
// bindings. Defaults are WeChat's (platform-rules.md §3.1, §3.5, §3.6); an
// operator may change them for a private deployment.
type Policy struct {
	// Apps a person (subject kind "individual") may own, by kind.
	IndividualMaxSubscription int `json:"individual_max_subscription"`
	IndividualMaxService      int `json:"individual_max_service"`
	IndividualMaxMiniProgram  int `json:"individual_max_miniprogram"`

	// Open-platform binding limits for an organisation's open-platform account.
	OrgSameSubjectMiniPrograms      int `json:"org_same_subject_miniprograms"`
	OrgOtherSubjectMiniPrograms     int `json:"org_other_subject_miniprograms"`
	OrgSameSubjectOfficialAccounts  int `json:"org_same_subject_official_accounts"`
	OrgOtherSubjectOfficialAccounts int `json:"org_other_subject_official_accounts"`
	// New bindings of apps of another subject per calendar month.
	OrgOtherSubjectPerMonth int `json:"org_other_subject_per_month"`

	// A person's open-platform account: same-subject mini programs only, no official accounts.
	IndividualSameSubjectMiniPrograms int `json:"individual_same_subject_miniprograms"`
	IndividualOfficialAccounts        int `json:"individual_official_accounts"`
}

// DefaultPolicy is WeChat's.
func DefaultPolicy() Policy {
	return Policy{
		IndividualMaxSubscription:         1,
		IndividualMaxService:              0,
		IndividualMaxMiniProgram:          5,
		OrgSameSubjectMiniPrograms:        50,
		OrgOtherSubjectMiniPrograms:       5,
		OrgSameSubjectOfficialAccounts:    50,
		OrgOtherSubjectOfficialAccounts:   5,
		OrgOtherSubjectPerMonth:           5,
		IndividualSameSubjectMiniPrograms: 5,
		IndividualOfficialAccounts:        0,
	}
}
