package wxml

import (
	"strings"
	"testing"
)

// bigPage is a realistic page repeated n times.
func bigPage(n int) []byte {
	unit := `<view class="item {{active ? 'on' : ''}}" wx:for="{{list}}" wx:key="id" data-id="{{item.id}}" bindtap="onTap">
  <image src="{{item.img}}" mode="aspectFill"/>
  <text class="t">{{index + 1}}. {{item.name}} — {{fmt.price(item.price)}}</text>
  <text wx:if="{{item.price > 100}}">expensive</text><text wx:elif="{{item.price > 10}}">ok</text><text wx:else>cheap</text>
  <template is="badge" data="{{...item.badge, size: 2}}"/>
</view>
`
	var b strings.Builder
	b.WriteString(`<wxs module="fmt">var p = function (c) { return (c / 100).toFixed(2); }; // price
module.exports = {price: p};</wxs><template name="badge"><text class="b b{{size}}">{{label}}</text></template>`)
	for i := 0; i < n; i++ {
		b.WriteString(unit)
	}
	return []byte(b.String())
}

func BenchmarkCompile(b *testing.B) {
	src := bigPage(200)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		if _, _, err := Compile("pages/index/index.wxml", src); err != nil {
			b.Fatal(err)
		}
	}
}
