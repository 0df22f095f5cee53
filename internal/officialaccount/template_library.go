package officialaccount

// Industry is one of WeChat's template-message industries (the table of
// api_set_industry's industry_id1/industry_id2).
type Industry struct {
	ID          int64  `json:"id"`
	FirstClass  string `json:"first_class"`
	SecondClass string `json:"second_class"`
}

// Industries is WeChat's industry table, by id.
var Industries = map[int64]Industry{}

func init() {
	for i, c := range [][2]string{
		{"IT科技", "互联网|电子商务"}, {"IT科技", "IT软件与服务"}, {"IT科技", "IT硬件与设备"}, {"IT科技", "电子技术"},
		{"IT科技", "通信与运营商"}, {"IT科技", "网络游戏"}, {"金融业", "银行"}, {"金融业", "基金理财信托"}, {"金融业", "保险"},
		{"餐饮", "餐饮"}, {"酒店旅游", "酒店"}, {"酒店旅游", "旅游"}, {"运输与仓储", "快递"}, {"运输与仓储", "物流"},
		{"运输与仓储", "仓储"}, {"教育", "培训"}, {"教育", "院校"}, {"政府与公共事业", "学术科研"}, {"政府与公共事业", "交警"},
		{"政府与公共事业", "博物馆"}, {"政府与公共事业", "公共事业非盈利机构"}, {"医药护理", "医药医疗"}, {"医药护理", "护理美容"},
		{"医药护理", "保健与卫生"}, {"交通工具", "汽车相关"}, {"交通工具", "摩托车相关"}, {"交通工具", "火车相关"},
		{"交通工具", "飞机相关"}, {"房地产", "建筑"}, {"房地产", "物业"}, {"消费品", "消费品"}, {"商业服务", "法律"},
		{"商业服务", "会展"}, {"商业服务", "中介服务"}, {"商业服务", "认证"}, {"商业服务", "审计"}, {"文体娱乐", "传媒"},
		{"文体娱乐", "体育"}, {"文体娱乐", "娱乐休闲"}, {"印刷", "印刷"}, {"其它", "其它"},
	} {
		id := int64(i + 1)
		Industries[id] = Industry{ID: id, FirstClass: c[0], SecondClass: c[1]}
	}
}

// LibraryTemplate is a template of the public library that an account adds
// to its own templates with api_add_template.
type LibraryTemplate struct {
	ShortID    string
	Title      string
	Content    string
	Example    string
	IndustryID int64
}

// TemplateLibrary is the public template library, by short id. Contents use
// WeChat's {{key.DATA}} placeholders; a line's text before its placeholder
// is the field's label.
var TemplateLibrary = map[string]LibraryTemplate{}

func init() {
	for _, t := range []LibraryTemplate{
		// IT科技 / 互联网|电子商务
		{"TM00015", "订单支付成功", "{{first.DATA}}\n支付金额：{{orderMoneySum.DATA}}\n商品信息：{{orderProductName.DATA}}\n{{Remark.DATA}}",
			"我们已收到您的货款，开始为您打包商品，请耐心等待: )\n支付金额：30.00元\n商品信息：我是商品名字\n如有问题请致电400-828-1878或直接在微信留言，小易将第一时间为您服务！", 1},
		{"OPENTM200565259", "订单发货提醒", "{{first.DATA}}\n订单编号：{{keyword1.DATA}}\n物流公司：{{keyword2.DATA}}\n物流单号：{{keyword3.DATA}}\n{{remark.DATA}}",
			"亲，宝贝已经启程了，好想快点来到你身边\n订单编号：201408120001\n物流公司：顺丰快递\n物流单号：SF1234567890\n点击查看完整的物流信息", 1},
		{"OPENTM207791277", "退款成功通知", "{{first.DATA}}\n退款金额：{{keyword1.DATA}}\n退款时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的退款已处理完成\n退款金额：¥128.00\n退款时间：2024-05-20 14:30\n款项将原路退回，请注意查收", 1},
		{"OPENTM405760702", "会员注册成功通知", "{{first.DATA}}\n会员账号：{{keyword1.DATA}}\n注册时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"恭喜您成为我们的会员\n会员账号：13800138000\n注册时间：2024-05-20\n点击领取新人礼包", 1},
		// IT科技 / IT软件与服务
		{"OPENTM411999701", "服务到期提醒", "{{first.DATA}}\n服务名称：{{keyword1.DATA}}\n到期时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您购买的服务即将到期\n服务名称：云服务器 2核4G\n到期时间：2024-06-01\n请及时续费，以免影响使用", 2},
		{"OPENTM401202033", "登录提醒", "{{first.DATA}}\n登录账号：{{keyword1.DATA}}\n登录时间：{{keyword2.DATA}}\n登录地点：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您的账号刚刚在新设备上登录\n登录账号：dev@example.com\n登录时间：2024-05-20 09:12\n登录地点：广东深圳\n如非本人操作，请立即修改密码", 2},
		{"OPENTM206165551", "工单处理进度通知", "{{first.DATA}}\n工单编号：{{keyword1.DATA}}\n处理状态：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您提交的工单有新进展\n工单编号：WO-20240520-0012\n处理状态：已解决\n感谢您的耐心等待", 2},
		// 金融业 / 银行
		{"OPENTM200654400", "账户资金变动提醒", "{{first.DATA}}\n交易时间：{{keyword1.DATA}}\n交易类型：{{keyword2.DATA}}\n交易金额：{{keyword3.DATA}}\n账户余额：{{keyword4.DATA}}\n{{remark.DATA}}",
			"您尾号1234的账户发生一笔交易\n交易时间：05月20日 10:30\n交易类型：消费\n交易金额：人民币 88.00\n账户余额：人民币 1,234.56\n详情请咨询95588", 7},
		{"OPENTM207163016", "信用卡还款提醒", "{{first.DATA}}\n本期账单金额：{{keyword1.DATA}}\n最后还款日：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的信用卡账单已出\n本期账单金额：¥3,200.00\n最后还款日：2024-06-08\n请按时还款，保持良好信用", 7},
		// 餐饮
		{"OPENTM405485000", "排队叫号提醒", "{{first.DATA}}\n排队号码：{{keyword1.DATA}}\n前面等待：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的号码快到了\n排队号码：A023\n前面等待：2桌\n请留意叫号，过号需重新取号", 10},
		{"OPENTM207940503", "取餐提醒", "{{first.DATA}}\n取餐号：{{keyword1.DATA}}\n门店：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的餐品已经做好啦\n取餐号：1087\n门店：科技园店\n请尽快到前台取餐", 10},
		// 酒店旅游 / 酒店
		{"OPENTM200685723", "酒店预订成功通知", "{{first.DATA}}\n酒店名称：{{keyword1.DATA}}\n入住日期：{{keyword2.DATA}}\n离店日期：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您已成功预订\n酒店名称：海景假日酒店\n入住日期：2024-06-01\n离店日期：2024-06-03\n如需取消请提前一天联系我们", 11},
		// 运输与仓储 / 快递
		{"OPENTM401833445", "快递签收通知", "{{first.DATA}}\n快递单号：{{keyword1.DATA}}\n签收时间：{{keyword2.DATA}}\n签收人：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您的快递已签收\n快递单号：YT9876543210\n签收时间：2024-05-20 16:05\n签收人：本人\n感谢使用，欢迎评价本次服务", 13},
		{"OPENTM202243318", "快递派送提醒", "{{first.DATA}}\n快递单号：{{keyword1.DATA}}\n派送员：{{keyword2.DATA}}\n联系电话：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您的快递正在派送中\n快递单号：YT9876543210\n派送员：王师傅\n联系电话：13900000000\n请保持电话畅通", 13},
		// 教育 / 培训
		{"OPENTM204650588", "课程开课提醒", "{{first.DATA}}\n课程名称：{{keyword1.DATA}}\n上课时间：{{keyword2.DATA}}\n上课地点：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您报名的课程即将开课\n课程名称：Go 语言进阶\n上课时间：2024-06-01 19:00\n上课地点：线上直播\n请提前10分钟进入直播间", 16},
		{"OPENTM207327169", "作业提交提醒", "{{first.DATA}}\n课程：{{keyword1.DATA}}\n截止时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"你有一份作业即将截止\n课程：高等数学\n截止时间：2024-05-22 23:59\n请按时提交", 16},
		{"OPENTM411352410", "考试成绩通知", "{{first.DATA}}\n考试科目：{{keyword1.DATA}}\n考试成绩：{{keyword2.DATA}}\n{{remark.DATA}}",
			"本次考试成绩已公布\n考试科目：英语四级模拟\n考试成绩：586\n继续加油！", 16},
		// 医药护理 / 医药医疗
		{"OPENTM207103254", "挂号成功通知", "{{first.DATA}}\n就诊人：{{keyword1.DATA}}\n就诊科室：{{keyword2.DATA}}\n就诊时间：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您已挂号成功\n就诊人：张三\n就诊科室：内科\n就诊时间：2024-05-21 上午\n请携带身份证按时就诊", 22},
		{"OPENTM406963151", "检查报告出具通知", "{{first.DATA}}\n检查项目：{{keyword1.DATA}}\n出具时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的检查报告已出具\n检查项目：血常规\n出具时间：2024-05-20 15:00\n可在线查看或到自助机打印", 22},
		// 房地产 / 物业
		{"OPENTM204594069", "物业缴费提醒", "{{first.DATA}}\n缴费项目：{{keyword1.DATA}}\n缴费金额：{{keyword2.DATA}}\n截止日期：{{keyword3.DATA}}\n{{remark.DATA}}",
			"您有一笔物业费待缴纳\n缴费项目：2024年第二季度物业费\n缴费金额：¥600.00\n截止日期：2024-06-30\n点击在线缴费", 30},
		// 其它
		{"OPENTM417745566", "预约成功通知", "{{first.DATA}}\n预约项目：{{keyword1.DATA}}\n预约时间：{{keyword2.DATA}}\n{{remark.DATA}}",
			"您的预约已成功\n预约项目：到店咨询\n预约时间：2024-05-25 14:00\n如需改约请提前联系", 41},
	} {
		TemplateLibrary[t.ShortID] = t
	}
}
