//go:build ignore

// Command gen writes the "big" fixture: a realistic mini program whose main
// package compiles to just under 2 MB, for the cold-start benchmark of a
// 2 MB package. Many pages and components make up part of it; a large data
// module (a product catalogue, as shops ship) fills the rest, sized by
// packing the output with internal/miniprogram/pack until the main package
// is at most -target bytes. The output is deterministic for a given
// compiler, so its hashes are stable between runs.
//
//	go run testdata/miniprograms/big/gen.go -out /tmp/big
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"superapp/internal/miniprogram/pack"
)

const (
	pageCount      = 60
	componentCount = 40
)

func main() {
	out := flag.String("out", "", "directory to write the project into (created; existing files are overwritten)")
	target := flag.Int64("target", 2_000_000, "compiled size of the main package to approach from below, in bytes (WeChat's limit is 2 MiB)")
	flag.Parse()
	if *out == "" {
		log.Fatal("usage: go run testdata/miniprograms/big/gen.go -out DIR [-target BYTES]")
	}
	g := &gen{dir: *out}
	g.skeleton()

	// The catalogue grows the package linearly: measure two sizes, then aim.
	const probe = 1000
	g.catalog(0)
	base := g.size()
	g.catalog(probe)
	perRecord := float64(g.size()-base) / probe
	if base >= *target {
		log.Fatalf("pages and components alone are %d bytes, over the %d target", base, *target)
	}
	records := int(float64(*target-base) / perRecord)
	for {
		g.catalog(records)
		size := g.size()
		if size <= *target {
			fmt.Printf("wrote %s: %d pages, %d components, %d catalogue records; main package %d bytes compiled\n",
				*out, pageCount, componentCount, records, size)
			return
		}
		records -= int(float64(size-*target)/perRecord) + 1
	}
}

type gen struct{ dir string }

func (g *gen) write(name, content string) {
	p := filepath.Join(g.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		log.Fatal(err)
	}
}

// size packs the project and returns the main package's compiled size.
func (g *gen) size() int64 {
	res, err := pack.Build(g.dir, pack.Options{})
	if err != nil {
		log.Fatalf("pack: %v", err)
	}
	return res.Report[0].Bytes
}

func pageName(i int) string      { return fmt.Sprintf("pages/p%02d/p%02d", i, i) }
func componentName(i int) string { return fmt.Sprintf("c%02d", i) }

func (g *gen) skeleton() {
	g.write("project.config.json", `{
  "description": "大包冷启动基准（生成）",
  "packOptions": { "ignore": [], "include": [] },
  "setting": { "urlCheck": true, "es6": true, "enhance": true, "postcss": true, "minified": true },
  "compileType": "miniprogram",
  "libVersion": "3.3.4",
  "appid": "wxfixture00000008",
  "projectname": "big",
  "condition": {}
}
`)
	g.write("sitemap.json", `{ "rules": [{ "action": "allow", "page": "*" }] }`+"\n")
	pages := make([]string, pageCount)
	for i := range pages {
		pages[i] = fmt.Sprintf("    %q", pageName(i))
	}
	g.write("app.json", `{
  "pages": [
`+strings.Join(pages, ",\n")+`
  ],
  "window": {
    "navigationBarBackgroundColor": "#ffffff",
    "navigationBarTitleText": "大包示例",
    "navigationBarTextStyle": "black"
  },
  "usingComponents": {
    "c-header": "/components/c00/c00"
  },
  "style": "v2",
  "sitemapLocation": "sitemap.json"
}
`)
	g.write("app.js", `import { catalog } from './data/catalog'

App({
  globalData: {
    favorites: []
  },

  onLaunch() {
    this.globalData.total = catalog.length
    this.globalData.favorites = wx.getStorageSync('favorites') || []
  }
})
`)
	g.write("app.wxss", `page {
  background: #f5f6f7;
  font-size: 28rpx;
  color: #1f2329;
}

.section {
  margin: 24rpx;
  background: #fff;
  border-radius: 16rpx;
  padding: 24rpx;
}
`)
	g.write("utils/format.wxs", `// 价格、数量与日期格式化
var pad = function (n) {
  return n < 10 ? '0' + n : '' + n
}

function price(cents) {
  return '¥' + (cents / 100).toFixed(2)
}

function stock(n) {
  if (n === 0) return '售罄'
  if (n < 10) return '仅剩 ' + n + ' 件'
  return '有货'
}

function date(ts) {
  var d = getDate(ts)
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate())
}

module.exports = {
  price: price,
  stock: stock,
  date: date
}
`)
	g.write("utils/list.js", `// Paging and filtering over the catalogue, shared by every page.
export function pageOf(list, page, size = 20) {
  return list.slice(page * size, (page + 1) * size)
}

export function byCategory(list, category) {
  return category ? list.filter(item => item.category === category) : list
}

export function search(list, keyword) {
  const k = keyword.trim().toLowerCase()
  return k ? list.filter(item => item.title.toLowerCase().includes(k) || item.brand.toLowerCase().includes(k)) : list
}

export function toggleFavorite(ids, id) {
  return ids.includes(id) ? ids.filter(x => x !== id) : [...ids, id]
}
`)
	g.write("templates/item.wxml", `<template name="item">
  <view class="item" data-id="{{id}}">
    <view class="item-title">{{title}}</view>
    <view class="item-meta">
      <text class="brand">{{brand}}</text>
      <text class="price">{{fmt.price(price)}}</text>
      <text class="stock {{stock === 0 ? 'out' : ''}}">{{fmt.stock(stock)}}</text>
    </view>
    <view class="tags">
      <text class="tag" wx:for="{{tags}}" wx:for-item="tag" wx:key="*this">{{tag}}</text>
    </view>
  </view>
</template>
`)
	for i := 0; i < componentCount; i++ {
		g.component(i)
	}
	for i := 0; i < pageCount; i++ {
		g.page(i)
	}
}

func (g *gen) component(i int) {
	name := "components/" + componentName(i) + "/" + componentName(i)
	g.write(name+".json", `{
  "component": true,
  "usingComponents": {}
}
`)
	g.write(name+".wxml", fmt.Sprintf(`<wxs module="fmt" src="../../utils/format.wxs" />
<view class="c%02d {{active ? 'c%02d-active' : ''}}" bindtap="onTap">
  <view class="c%02d-head">
    <text class="c%02d-title">{{title}}</text>
    <text wx:if="{{count > 0}}" class="c%02d-count">{{count}}</text>
    <slot name="extra"></slot>
  </view>
  <view class="c%02d-body" wx:if="{{!collapsed}}">
    <slot></slot>
    <view wx:for="{{items}}" wx:key="id" class="c%02d-row" data-id="{{item.id}}" catchtap="onRow">
      <text class="c%02d-name">{{item.title}}</text>
      <text class="c%02d-price">{{fmt.price(item.price)}}</text>
    </view>
  </view>
  <view class="c%02d-foot" wx:else>已折叠 {{items.length}} 项</view>
</view>
`, i, i, i, i, i, i, i, i, i, i))
	var css strings.Builder
	for _, part := range []string{"", "-head", "-title", "-count", "-body", "-row", "-name", "-price", "-foot", "-active"} {
		fmt.Fprintf(&css, ".c%02d%s {\n  display: flex;\n  padding: %drpx %drpx;\n  margin-bottom: %drpx;\n  border-radius: %drpx;\n  color: #%06x;\n  font-size: %drpx;\n}\n\n",
			i, part, 8+i%12, 16+i%8, 4+i%6, 8+i%10, (i*977+len(part)*4099)%0xffffff, 24+i%8)
	}
	g.write(name+".wxss", css.String())
	g.write(name+".js", fmt.Sprintf(`Component({
  options: {
    multipleSlots: true
  },

  properties: {
    title: {
      type: String,
      value: '组件 %02d'
    },
    items: {
      type: Array,
      value: []
    },
    collapsed: Boolean
  },

  data: {
    count: 0,
    active: false
  },

  observers: {
    items(items) {
      this.setData({ count: items.length })
    }
  },

  methods: {
    onTap() {
      this.setData({ active: !this.data.active })
    },

    onRow(e) {
      this.triggerEvent('select', { id: e.currentTarget.dataset.id, from: %d }, { bubbles: true })
    }
  }
})
`, i, i))
}

func (g *gen) page(i int) {
	name := pageName(i)
	uses := []string{}
	for k := 1; k <= 4; k++ {
		c := (i*4 + k) % componentCount
		if c == 0 {
			c = componentCount - 1
		}
		uses = append(uses, fmt.Sprintf("    \"c-%02d\": \"/components/%s/%s\"", c, componentName(c), componentName(c)))
	}
	g.write(name+".json", fmt.Sprintf(`{
  "navigationBarTitleText": "第 %d 页",
  "enablePullDownRefresh": %t,
  "usingComponents": {
%s
  }
}
`, i, i%3 == 0, strings.Join(uses, ",\n")))

	var body strings.Builder
	for k := 1; k <= 4; k++ {
		c := (i*4 + k) % componentCount
		if c == 0 {
			c = componentCount - 1
		}
		fmt.Fprintf(&body, `  <c-%02d id="block-%d" title="{{sections[%d].title}}" items="{{sections[%d].items}}" collapsed="{{collapsed}}" bind:select="onSelect">
    <view slot="extra" class="more" data-section="%d" bindtap="more">更多</view>
    <view class="hint">{{sections[%d].hint}}</view>
  </c-%02d>
`, c, k, k-1, k-1, k-1, k-1, c)
	}
	g.write(name+".wxml", fmt.Sprintf(`<wxs module="fmt" src="../../utils/format.wxs" />
<import src="../../templates/item.wxml" />
<c-header title="第 %d 页" items="{{[]}}">
  <view>共 {{total}} 件商品 · 更新于 {{fmt.date(updatedAt)}}</view>
</c-header>
<view class="toolbar">
  <input class="search" placeholder="搜索" value="{{keyword}}" bindinput="onSearch" />
  <switch checked="{{collapsed}}" bindchange="onCollapse" />
</view>
<scroll-view class="tabs" scroll-x>
  <text wx:for="{{categories}}" wx:key="*this" class="tab {{item === category ? 'on' : ''}}" data-category="{{item}}" bindtap="onCategory">{{item || '全部'}}</text>
</scroll-view>
%s<view class="section list">
  <block wx:for="{{list}}" wx:key="id">
    <template is="item" data="{{...item, fmt}}" />
  </block>
  <view wx:if="{{list.length === 0}}" class="empty">没有符合条件的商品</view>
  <view wx:elif="{{hasMore}}" class="more" bindtap="loadMore">加载更多</view>
  <view wx:else class="end">— 到底了 —</view>
</view>
`, i, body.String()))

	var css strings.Builder
	css.WriteString(".toolbar {\n  display: flex;\n  align-items: center;\n  padding: 16rpx 24rpx;\n  background: #fff;\n}\n\n.search {\n  flex: 1;\n  height: 64rpx;\n  background: #f2f3f5;\n  border-radius: 999rpx;\n  padding: 0 24rpx;\n}\n\n")
	css.WriteString(".tabs {\n  white-space: nowrap;\n  background: #fff;\n}\n\n.tab {\n  display: inline-block;\n  padding: 16rpx 28rpx;\n}\n\n.tab.on {\n  color: #3370ff;\n  font-weight: bold;\n}\n\n")
	for _, cls := range []string{"item", "item-title", "item-meta", "brand", "price", "stock", "out", "tags", "tag", "more", "end", "empty", "hint", "list"} {
		fmt.Fprintf(&css, ".%s {\n  margin: %drpx 0;\n  line-height: 1.%d;\n  color: #%06x;\n}\n\n", cls, 4+(i+len(cls))%12, 3+i%5, (i*7919+len(cls)*104729)%0xffffff)
	}
	g.write(name+".wxss", css.String())

	g.write(name+".js", fmt.Sprintf(`import { catalog, categories } from '../../data/catalog'
import { pageOf, byCategory, search, toggleFavorite } from '../../utils/list'

const PAGE_SIZE = 20
const OFFSET = %d

Page({
  data: {
    keyword: '',
    category: '',
    categories: ['', ...categories],
    collapsed: false,
    list: [],
    page: 0,
    hasMore: true,
    total: catalog.length,
    updatedAt: 1700049600000,
    sections: []
  },

  onLoad() {
    const sections = [0, 1, 2, 3].map(k => ({
      title: `+"`推荐 ${k + 1}`"+`,
      hint: `+"`第 %d 页的第 ${k + 1} 组`"+`,
      items: catalog.slice(OFFSET + k * 5, OFFSET + k * 5 + 5)
    }))
    this.setData({ sections })
    this.refresh()
  },

  filtered() {
    return search(byCategory(catalog, this.data.category), this.data.keyword)
  },

  refresh() {
    const all = this.filtered()
    this.setData({ list: pageOf(all, 0, PAGE_SIZE), page: 0, hasMore: all.length > PAGE_SIZE })
  },

  loadMore() {
    const all = this.filtered()
    const page = this.data.page + 1
    this.setData({
      list: this.data.list.concat(pageOf(all, page, PAGE_SIZE)),
      page,
      hasMore: all.length > (page + 1) * PAGE_SIZE
    })
  },

  onSearch(e) {
    this.setData({ keyword: e.detail.value })
    this.refresh()
  },

  onCategory(e) {
    this.setData({ category: e.currentTarget.dataset.category })
    this.refresh()
  },

  onCollapse(e) {
    this.setData({ collapsed: e.detail.value })
  },

  onSelect(e) {
    const app = getApp()
    app.globalData.favorites = toggleFavorite(app.globalData.favorites, e.detail.id)
    wx.setStorageSync('favorites', app.globalData.favorites)
  },

  more(e) {
    wx.navigateTo({ url: '/%s?section=' + e.currentTarget.dataset.section })
  },

  onReachBottom() {
    if (this.data.hasMore) this.loadMore()
  },

  onPullDownRefresh() {
    this.refresh()
    wx.stopPullDownRefresh()
  }
})
`, i*13, i, pageName((i+1)%pageCount)))
}

var (
	brands     = []string{"山野", "青禾", "MUJI 风", "Anker", "小米有品", "良品铺子", "三只松鼠", "网易严选", "Nike", "李宁", "安踏", "元气森林", "农夫山泉", "海底捞", "百草味"}
	categories = []string{"食品", "饮料", "数码", "家居", "服饰", "运动", "美妆", "母婴", "图书", "宠物"}
	nouns      = []string{"坚果礼盒", "冷萃咖啡", "无线耳机", "收纳箱", "纯棉T恤", "跑步鞋", "保湿面霜", "婴儿湿巾", "小说合集", "猫粮", "充电宝", "保温杯", "牛肉干", "气泡水", "瑜伽垫"}
	adjectives = []string{"经典款", "加大号", "限定版", "轻薄", "家庭装", "便携", "升级版", "有机", "低糖", "新款"}
	tagWords   = []string{"包邮", "热销", "新品", "满减", "秒杀", "自营", "直播同款", "七天无理由"}
	origins    = []string{"浙江杭州", "广东深圳", "云南昆明", "四川成都", "福建厦门", "山东青岛", "内蒙古", "新疆"}
)

// catalog writes data/catalog.js with n records: the kind of hand-kept data
// file real apps bundle (product lists, region tables).
func (g *gen) catalog(n int) {
	r := rand.New(rand.NewPCG(2024, 8))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	var b strings.Builder
	b.WriteString("// 商品目录（本地数据）。由 gen.go 生成。\n")
	fmt.Fprintf(&b, "export const categories = [%s]\n\n", quoteAll(categories))
	b.WriteString("export const catalog = [\n")
	for i := 0; i < n; i++ {
		tags := []string{}
		for k := r.IntN(3); k >= 0; k-- {
			tags = append(tags, pick(tagWords))
		}
		fmt.Fprintf(&b, "  { id: %d, sku: 'SKU%06d', title: '%s %s %s', brand: '%s', category: '%s', price: %d, stock: %d, rating: %.1f, tags: [%s], specs: { origin: '%s', weight: '%dg' }, updatedAt: %d },\n",
			100000+i, r.IntN(1000000), pick(brands), pick(nouns), pick(adjectives), pick(brands), pick(categories),
			(r.IntN(50000)+100)*10, r.IntN(200), 3+r.Float64()*2, quoteAll(tags), pick(origins), 50+r.IntN(2000), 1690000000000+int64(r.IntN(30000000))*1000)
	}
	b.WriteString("]\n\nexport function findById(id) {\n  return catalog.find(item => item.id === id)\n}\n")
	g.write("data/catalog.js", b.String())
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}
