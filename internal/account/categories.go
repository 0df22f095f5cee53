package account

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"superapp/internal/input"
	"superapp/internal/store"
)

// Service categories (类目) of mini programs, and the qualifications their
// subjects file. A category is (first, second) class of WeChat's taxonomy;
// a sensitive one needs one of its qualification documents before a
// version in it can pass review (platform-rules.md §3.4).

// CategoryDef is one second-level category of the taxonomy.
type CategoryDef struct {
	FirstID    int64  `json:"first_id"`
	First      string `json:"first_class"`
	SecondID   int64  `json:"second_id"`
	Second     string `json:"second_class"`
	Sensitive  bool   `json:"sensitive"`
	Individual bool   `json:"individual"` // open to individual subjects
	// Qualifications: any one of them admits the category.
	Qualifications []string `json:"qualifications,omitempty"`
}

// Categories is the taxonomy this deployment offers: a selection of
// WeChat's, ids as WeChat numbers them where known.
var Categories = []CategoryDef{
	{FirstID: 1, First: "快递业与邮政", SecondID: 2, Second: "快递、物流", Individual: false},
	{FirstID: 150, First: "教育", SecondID: 151, Second: "在线教育"},
	{FirstID: 150, First: "教育", SecondID: 1038, Second: "教育信息服务", Individual: true},
	{FirstID: 304, First: "商业服务", SecondID: 305, Second: "软件服务提供商"},
	{FirstID: 304, First: "商业服务", SecondID: 1062, Second: "企业管理", Individual: false},
	{FirstID: 632, First: "生活服务", SecondID: 633, Second: "综合生活服务平台"},
	{FirstID: 632, First: "生活服务", SecondID: 1059, Second: "家政服务", Individual: true},
	{FirstID: 220, First: "餐饮", SecondID: 221, Second: "餐饮服务场所/餐饮服务管理企业", Individual: true},
	{FirstID: 220, First: "餐饮", SecondID: 1076, Second: "点评与推荐", Individual: true},
	{FirstID: 287, First: "工具", SecondID: 288, Second: "信息查询", Individual: true},
	{FirstID: 287, First: "工具", SecondID: 612, Second: "办公", Individual: true},
	{FirstID: 287, First: "工具", SecondID: 1011, Second: "效率", Individual: true},
	{FirstID: 367, First: "商家自营", SecondID: 368, Second: "百货", Individual: false},
	{FirstID: 367, First: "商家自营", SecondID: 377, Second: "食品", Individual: false},
	{FirstID: 763, First: "文娱", SecondID: 1070, Second: "资讯", Individual: true},
	{FirstID: 480, First: "旅游", SecondID: 483, Second: "旅游服务", Individual: false},
	{FirstID: 174, First: "医疗服务", SecondID: 175, Second: "公立医疗机构", Sensitive: true,
		Qualifications: []string{"医疗机构执业许可证"}},
	{FirstID: 174, First: "医疗服务", SecondID: 176, Second: "私立医疗机构", Sensitive: true,
		Qualifications: []string{"医疗机构执业许可证"}},
	{FirstID: 174, First: "医疗服务", SecondID: 177, Second: "互联网医院", Sensitive: true,
		Qualifications: []string{"医疗机构执业许可证", "互联网诊疗许可"}},
	{FirstID: 130, First: "金融业", SecondID: 131, Second: "保险", Sensitive: true,
		Qualifications: []string{"保险公司法人许可证", "经营保险业务许可证", "保险代理业务许可证", "保险经纪业务许可证"}},
	{FirstID: 130, First: "金融业", SecondID: 132, Second: "银行", Sensitive: true,
		Qualifications: []string{"金融许可证"}},
	{FirstID: 130, First: "金融业", SecondID: 133, Second: "证券/期货", Sensitive: true,
		Qualifications: []string{"经营证券期货业务许可证"}},
	{FirstID: 130, First: "金融业", SecondID: 134, Second: "基金", Sensitive: true,
		Qualifications: []string{"经营证券期货业务许可证", "基金销售业务资格证书"}},
	{FirstID: 600, First: "社交", SecondID: 601, Second: "社区/论坛", Sensitive: true,
		Qualifications: []string{"互联网信息服务备案"}},
}

// MaxCategories is how many categories a mini program may hold (§3.4).
const MaxCategories = 20

// Category errors.
var (
	ErrUnknownCategory = fmt.Errorf("no such category")
	// ErrCategoryNotForIndividuals is WeChat's 53302.
	ErrCategoryNotForIndividuals = fmt.Errorf("this subject type may not use this category")
)

// CategoryByIDs finds a category of the taxonomy.
func CategoryByIDs(first, second int64) (CategoryDef, bool) {
	for _, c := range Categories {
		if c.FirstID == first && c.SecondID == second {
			return c, true
		}
	}
	return CategoryDef{}, false
}

// CategoryByName finds a category by "first/second" class names.
func CategoryByName(name string) (CategoryDef, bool) {
	first, second, ok := strings.Cut(name, "/")
	if !ok {
		return CategoryDef{}, false
	}
	for _, c := range Categories {
		if c.First == strings.TrimSpace(first) && c.Second == strings.TrimSpace(second) {
			return c, true
		}
	}
	return CategoryDef{}, false
}

// AppCategories lists a mini program's categories in taxonomy order.
func (s *Service) AppCategories(ctx context.Context, appid string) ([]CategoryDef, error) {
	rows, err := s.db.Query(ctx, "SELECT first_id, second_id FROM mp_categories WHERE appid = ?", appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[[2]int64]bool{}
	for rows.Next() {
		var k [2]int64
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		have[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []CategoryDef{}
	for _, c := range Categories {
		if have[[2]int64{c.FirstID, c.SecondID}] {
			out = append(out, c)
		}
	}
	return out, nil
}

// SetAppCategories replaces a mini program's categories. Individuals get
// only the categories open to them; at most MaxCategories.
func (s *Service) SetAppCategories(ctx context.Context, appid string, ids [][2]int64) error {
	app, err := s.App(ctx, appid)
	if err != nil {
		return err
	}
	if app.Kind != MiniProgram {
		return input.Errorf("appid", "is a "+string(app.Kind)+"; categories belong to mini programs")
	}
	if len(ids) > MaxCategories {
		return input.Errorf("categories", fmt.Sprintf("has %d entries; a mini program may hold at most %d", len(ids), MaxCategories))
	}
	sub, err := s.Subject(ctx, app.SubjectID)
	if err != nil {
		return err
	}
	for _, k := range ids {
		c, ok := CategoryByIDs(k[0], k[1])
		if !ok {
			return fmt.Errorf("%w: first_id %d, second_id %d", ErrUnknownCategory, k[0], k[1])
		}
		if sub.Kind == Individual && !c.Individual {
			return fmt.Errorf("%w: %s/%s", ErrCategoryNotForIndividuals, c.First, c.Second)
		}
	}
	now := s.now().Unix()
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM mp_categories WHERE appid = ?", appid); err != nil {
			return err
		}
		for _, k := range ids {
			if _, err := tx.Exec(ctx, "INSERT INTO mp_categories(appid, first_id, second_id, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				appid, k[0], k[1], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxQualificationRunes bounds a qualification's name.
const maxQualificationRunes = 64

// AddQualification records that a subject filed a qualification document.
func (s *Service) AddQualification(ctx context.Context, subjectID, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxQualificationRunes || !input.Storable(name) {
		return input.Errorf("qualification", fmt.Sprintf("must be 1 to %d printable characters", maxQualificationRunes))
	}
	if _, err := s.Subject(ctx, subjectID); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, "INSERT INTO subject_qualifications(subject_id, name, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		subjectID, name, s.now().Unix())
	return err
}

// RemoveQualification withdraws one.
func (s *Service) RemoveQualification(ctx context.Context, subjectID, name string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM subject_qualifications WHERE subject_id = ? AND name = ?", subjectID, strings.TrimSpace(name))
	return err
}

// Qualifications lists a subject's qualifications, sorted.
func (s *Service) Qualifications(ctx context.Context, subjectID string) ([]string, error) {
	rows, err := s.db.Query(ctx, "SELECT name FROM subject_qualifications WHERE subject_id = ?", subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, rows.Err()
}
