package subscribemsg

import (
	"sort"
	"strconv"
)

// Keyword rules: what a keyword's value may hold (wechat-api.md §4.1). The
// data key of a keyword in a send is its rule followed by its kid
// ("thing1", "time4"), as in WeChat.
const (
	RuleThing           = "thing"
	RuleNumber          = "number"
	RuleLetter          = "letter"
	RuleSymbol          = "symbol"
	RuleCharacterString = "character_string"
	RuleTime            = "time"
	RuleDate            = "date"
	RuleAmount          = "amount"
	RulePhoneNumber     = "phone_number"
	RuleCarNumber       = "car_number"
	RuleName            = "name"
	RulePhrase          = "phrase"
)

// TypeOneTime is WeChat's template type 2 (一次性订阅); 3 is long-term,
// which the library does not offer (platform-rules.md §3.7: only public
// services may use it).
const TypeOneTime = 2

// Category is a service category templates are listed under.
type Category struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Keyword is one field of a library template.
type Keyword struct {
	KID     int64  `json:"kid"`
	Name    string `json:"name"`
	Example string `json:"example"`
	Rule    string `json:"rule"`
}

// Key is the keyword's data key in a send: rule + kid.
func (k Keyword) Key() string { return k.Rule + strconv.FormatInt(k.KID, 10) }

// LibraryTemplate is a public template title with its keywords.
type LibraryTemplate struct {
	TID        int64
	Title      string
	Type       int
	CategoryID int64
	Keywords   []Keyword
}

// Keyword returns the template's keyword kid.
func (t *LibraryTemplate) Keyword(kid int64) (Keyword, bool) {
	for _, k := range t.Keywords {
		if k.KID == kid {
			return k, true
		}
	}
	return Keyword{}, false
}

// Categories of the library, by id.
var Categories = []Category{
	{307, "快递、物流"},
	{411, "教育服务"},
	{616, "交通服务"},
	{670, "餐饮服务"},
	{693, "医疗服务"},
	{1184, "电商平台"},
	{1300, "工具"},
}

func kw(kid int64, name, rule, example string) Keyword {
	return Keyword{KID: kid, Name: name, Example: example, Rule: rule}
}

// Library is the public template library every mini program picks from,
// modelled on WeChat's (titles and keyword names as WeChat writes them).
var Library = []LibraryTemplate{
	{99, "付款成功通知", TypeOneTime, 1184, []Keyword{
		kw(1, "订单编号", RuleCharacterString, "20191104123456"), kw(2, "支付金额", RuleAmount, "¥100.00"),
		kw(3, "商品名称", RuleThing, "云南白药牙膏"), kw(4, "支付时间", RuleTime, "2019-11-04 12:00"), kw(5, "备注", RuleThing, "如有疑问请联系客服")}},
	{1200, "订单发货通知", TypeOneTime, 1184, []Keyword{
		kw(1, "订单号", RuleCharacterString, "DD2019110400012"), kw(2, "快递公司", RuleThing, "顺丰速运"),
		kw(3, "快递单号", RuleCharacterString, "SF1234567890"), kw(4, "发货时间", RuleTime, "2019-11-04 15:30"), kw(5, "商品名称", RuleThing, "无线蓝牙耳机")}},
	{1201, "退款成功通知", TypeOneTime, 1184, []Keyword{
		kw(1, "订单编号", RuleCharacterString, "20191104123456"), kw(2, "退款金额", RuleAmount, "¥59.90"),
		kw(3, "退款原因", RuleThing, "商品缺货"), kw(4, "退款时间", RuleTime, "2019-11-05 10:00")}},
	{1202, "订单取消通知", TypeOneTime, 1184, []Keyword{
		kw(1, "订单编号", RuleCharacterString, "20191104123456"), kw(2, "商品名称", RuleThing, "保温杯"),
		kw(3, "取消原因", RuleThing, "超时未支付"), kw(4, "取消时间", RuleTime, "2019-11-04 13:00")}},
	{1203, "会员积分变动提醒", TypeOneTime, 1184, []Keyword{
		kw(1, "变动积分", RuleNumber, "100"), kw(2, "当前积分", RuleNumber, "2350"),
		kw(3, "变动原因", RuleThing, "购物奖励"), kw(4, "变动时间", RuleTime, "2019-11-04 12:00")}},
	{307, "快递到达通知", TypeOneTime, 307, []Keyword{
		kw(1, "快递单号", RuleCharacterString, "YT9876543210"), kw(2, "取件码", RuleNumber, "628814"),
		kw(3, "快递柜地址", RuleThing, "3号楼东侧丰巢柜"), kw(4, "到达时间", RuleTime, "2019-11-04 09:12"), kw(5, "联系电话", RulePhoneNumber, "0755-86013388")}},
	{308, "物流状态更新通知", TypeOneTime, 307, []Keyword{
		kw(1, "运单号", RuleCharacterString, "SF1234567890"), kw(2, "当前状态", RulePhrase, "运输中"),
		kw(3, "更新时间", RuleTime, "2019-11-04 18:40"), kw(4, "当前位置", RuleThing, "深圳转运中心")}},
	{616, "公交到站提醒", TypeOneTime, 616, []Keyword{
		kw(1, "线路", RuleThing, "M388路"), kw(2, "站点", RuleThing, "科技园站"),
		kw(3, "预计到站时间", RuleTime, "08:15"), kw(4, "车牌号", RuleCarNumber, "粤B12345")}},
	{617, "停车缴费成功通知", TypeOneTime, 616, []Keyword{
		kw(1, "车牌号", RuleCarNumber, "粤B12345"), kw(2, "停车时长", RuleThing, "2小时15分钟"),
		kw(3, "缴费金额", RuleAmount, "¥15.00"), kw(4, "停车场", RuleThing, "海岸城地下停车场"), kw(5, "缴费时间", RuleTime, "2019-11-04 20:01")}},
	{618, "违章提醒", TypeOneTime, 616, []Keyword{
		kw(1, "车牌号", RuleCarNumber, "粤B12345"), kw(2, "违章时间", RuleTime, "2019-11-01 08:30"),
		kw(3, "违章地点", RuleThing, "深南大道与科技路交叉口"), kw(4, "罚款金额", RuleAmount, "¥200.00")}},
	{670, "排队叫号通知", TypeOneTime, 670, []Keyword{
		kw(1, "门店名称", RuleThing, "海底捞(海岸城店)"), kw(2, "排队号", RuleCharacterString, "A023"),
		kw(3, "前方等待", RuleNumber, "5"), kw(4, "取号时间", RuleTime, "2019-11-04 18:02")}},
	{671, "外卖配送通知", TypeOneTime, 670, []Keyword{
		kw(1, "订单编号", RuleCharacterString, "WM20191104001"), kw(2, "配送员", RuleName, "张三"),
		kw(3, "联系电话", RulePhoneNumber, "13800138000"), kw(4, "预计送达时间", RuleTime, "12:30"), kw(5, "配送状态", RulePhrase, "配送中")}},
	{672, "预订成功通知", TypeOneTime, 670, []Keyword{
		kw(1, "餐厅名称", RuleThing, "粤海酒家"), kw(2, "预订日期", RuleDate, "2019年10月1日"),
		kw(3, "用餐人数", RuleNumber, "6"), kw(4, "座位区", RuleLetter, "A"), kw(5, "备注", RuleThing, "靠窗位置")}},
	{411, "课程开课提醒", TypeOneTime, 411, []Keyword{
		kw(1, "课程名称", RuleThing, "高等数学(上)"), kw(2, "上课时间", RuleTime, "2019-11-05 08:00"),
		kw(3, "上课地点", RuleThing, "教学楼A201"), kw(4, "授课老师", RuleName, "李老师")}},
	{412, "作业批改通知", TypeOneTime, 411, []Keyword{
		kw(1, "作业名称", RuleThing, "第三章课后习题"), kw(2, "得分", RuleNumber, "95"),
		kw(3, "评级", RuleSymbol, "★★★"), kw(4, "评语", RuleThing, "解题思路清晰"), kw(5, "批改时间", RuleTime, "2019-11-04 21:00")}},
	{413, "考试成绩通知", TypeOneTime, 411, []Keyword{
		kw(1, "考试名称", RuleThing, "期中考试"), kw(2, "学生姓名", RuleName, "王小明"),
		kw(3, "成绩", RuleNumber, "88"), kw(4, "发布日期", RuleDate, "2019年11月4日")}},
	{693, "预约挂号成功通知", TypeOneTime, 693, []Keyword{
		kw(1, "就诊人", RuleName, "张三"), kw(2, "科室", RuleThing, "呼吸内科"),
		kw(3, "医生", RuleName, "刘医生"), kw(4, "就诊时间", RuleTime, "2019-11-06 09:30"), kw(5, "就诊地点", RuleThing, "门诊楼3楼")}},
	{694, "检查报告通知", TypeOneTime, 693, []Keyword{
		kw(1, "就诊人", RuleName, "张三"), kw(2, "检查项目", RuleThing, "血常规"),
		kw(3, "出报告时间", RuleTime, "2019-11-06 14:00"), kw(4, "温馨提示", RuleThing, "请及时查看报告")}},
	{695, "用药提醒", TypeOneTime, 693, []Keyword{
		kw(1, "药品名称", RuleThing, "阿莫西林胶囊"), kw(2, "用法用量", RuleThing, "每日三次每次两粒"), kw(3, "提醒时间", RuleTime, "08:00")}},
	{1300, "活动报名成功通知", TypeOneTime, 1300, []Keyword{
		kw(1, "活动名称", RuleThing, "周末亲子徒步"), kw(2, "活动时间", RuleTime, "2019-11-09 09:00"),
		kw(3, "活动地点", RuleThing, "深圳湾公园"), kw(4, "报名人", RuleName, "李四"), kw(5, "备注", RuleThing, "请提前15分钟到场")}},
	{1301, "账号登录提醒", TypeOneTime, 1300, []Keyword{
		kw(1, "登录账号", RuleCharacterString, "user_2019"), kw(2, "登录时间", RuleTime, "2019-11-04 23:10"),
		kw(3, "登录设备", RuleThing, "iPhone 11"), kw(4, "登录地点", RuleThing, "广东深圳")}},
	{1302, "待办事项提醒", TypeOneTime, 1300, []Keyword{
		kw(1, "事项名称", RuleThing, "提交季度报告"), kw(2, "截止日期", RuleDate, "2019年11月30日"),
		kw(3, "提醒时间", RuleTime, "2019-11-29 09:00"), kw(4, "备注", RuleThing, "请按时提交")}},
}

var libraryByTID = func() map[int64]*LibraryTemplate {
	m := make(map[int64]*LibraryTemplate, len(Library))
	sort.SliceStable(Library, func(i, j int) bool { return Library[i].TID < Library[j].TID })
	for i := range Library {
		m[Library[i].TID] = &Library[i]
	}
	return m
}()

// LibraryTemplateByTID returns the public template tid.
func LibraryTemplateByTID(tid int64) (*LibraryTemplate, bool) {
	t, ok := libraryByTID[tid]
	return t, ok
}
