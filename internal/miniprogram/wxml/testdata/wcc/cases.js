const cases=[];
const W=(name, wxml, data, extra)=>cases.push({name, files:Object.assign({'index.wxml':wxml}, extra||{}), data:data||{}});
// text and whitespace
W('text-plain','<view>hello</view>');
W('text-ws-kept','<view>\n  a  \n  </view>');
W('text-ws-only-dropped','<view> </view><view>\t\n </view>');
W('text-ws-root','  \n<view/>\n  <text>x</text>  \n');
W('text-root-text','hello {{a}} world',{a:1});
W('text-undefined','<view>{{u}}</view><view> {{u}} </view>');
W('text-null','<view>{{n}}|{{null}}</view>',{n:null});
W('text-number','<view>{{n}}</view>',{n:3.5});
W('text-bool','<view>{{t}}{{f}}</view>',{t:true,f:false});
W('text-object','<view>{{o}}</view>',{o:{a:1}});
W('text-array','<view>{{a}}</view>',{a:[1,[2,3],null,{}]});
W('text-entities','<view>&nbsp;&lt;a&gt;&amp;</view>');
W('text-gt','<view>a > b</view>');
W('text-lt-in-expr','<view>{{a<b}}</view>',{a:1,b:2});
W('text-string-braces','<view>{{"}}"}}</view>');
W('text-empty-expr','<view>a {{ }} b</view>');
W('text-stray-close','<view>a }} b</view>');
W('text-multi','<view>{{x}} {{y}}</view>',{x:1,y:2});
W('text-unicode-space','<view>\u3000</view><view>\u00a0</view>');
W('text-crlf','<view>a\r\nb</view>');
W('text-newline-expr','<view>{{a +\n b}}</view>',{a:1,b:2});
W('comments','<view><!-- c --><text>a</text><!--x--></view><!-- root -->');
W('comment-splits-text','<view>a<!-- c -->b</view>');
// attributes
W('attr-static','<view a="1" b=\'2\' c="" d/>');
W('attr-typed','<view n="{{1}}" b="{{false}}" s="{{\'x\'}}" o="{{o}}" a="{{arr}}" u="{{u}}" nl="{{null}}"/>',{o:{k:1},arr:[1,2]});
W('attr-mixed','<view a=" {{x}}" b="{{x}}{{y}}" c="x{{u}}y" d="{{ x }}"/>',{x:1,y:2});
W('attr-order','<view b="1" a="2" c d="x" A="3" _z="4"/>');
W('attr-dup','<view a="1" a="2"/>');
W('attr-spaces-around-eq','<view\n  a = "1"  b=\'2\'>t</view >');
W('attr-camel','<view a-B="1" data-A="2" data-a-b="3" Data-a="4" aB-c="5" a_B="6" data-x-Y-z="7" a-b-C="8" x-y="9" bind-Tap="10" -A="11"/>');
W('attr-class-style','<view class="a  {{c}} b" style="color: {{col}};" hidden="{{h}}"/>',{c:'C',col:'red',h:false});
W('attr-hidden-bare','<view hidden/>');
W('attr-data','<view data-id="{{id}}" data-fooBar="x" data-obj="{{o}}"/>',{id:5,o:{a:[1]}});
W('attr-events','<view bindtap="h" bind:tap="h2" catchtouchstart="{{hh}}" capture-bind:tap="c" capture-catch:tap="cc" mut-bind:tap="m" bind:longpress="{{u}}"/>',{hh:'H'});
W('attr-slot-id','<my-comp slot="s" id="{{id}}"/>',{id:'x'});
W('attr-generic','<my-comp generic:item="sub-item" generic:other="x-y"/>');
W('attr-gt-in-value','<view a="x>y"/>');
W('attr-unknown-wx','<view wx:foo="1" a="b"/>');
W('attr-copy-deep','<view a="{{o}}"/>',{o:{x:{y:[1,{z:2}]}}});
// expressions
W('expr-member','<view a="{{a.b.c}}" b="{{x[0]}}" c="{{s.length}}" d="{{a[\'b\'].c}}" e="{{m.n.o.p}}"/>',{a:{b:{c:7}},x:[9],s:'hey'});
W('expr-missing','<view>{{a.b.c}}|{{u[0]}}|{{n.x}}</view>',{n:null});
W('expr-arith','<view a="{{1+2*3-4/2%3}}" b="{{(1+2)*3}}" c="{{1 - - 1}}" d="{{\'5\' * \'2\'}}" e="{{\'a\' + u}}" f="{{1 + \'1\'}}" g="{{7 % 3}}" h="{{-n}}" i="{{n-1}}"/>',{n:3});
W('expr-compare','<view a="{{n > 2}}" b="{{n >= 3}}" c="{{n < 2}}" d="{{n <= 3}}" e="{{n == \'3\'}}" f="{{n === \'3\'}}" g="{{n != 3}}" h="{{n !== 3}}" i="{{3 > 2 > 1}}"/>',{n:3});
W('expr-logic','<view a="{{u || \'def\'}}" b="{{n && \'yes\'}}" c="{{!u}}" d="{{!!n}}" e="{{z || 0}}" f="{{z && 1}}" g="{{n || u && 1}}"/>',{n:3,z:0});
W('expr-bitwise','<view a="{{~n}}" b="{{1 << 2}}" c="{{n >> 1}}" d="{{n & 1}}" e="{{n | 4}}" f="{{n ^ 1}}"/>',{n:5});
W('expr-ternary','<view a="{{n > 2 ? \'y\' : \'n\'}}" b="{{a ? b ? 1 : 2 : 3}}" c="{{a ? 1 : b ? 2 : 3}}"/>',{n:3,a:0,b:1});
W('expr-strings','<view a="{{\'q\'}}" c="{{\'a\' + \'b\'}}"/>');
W('expr-numbers','<view a="{{.5}}" b="{{1.50}}" c="{{0}}" d="{{10}}" e="{{1/0}}" f="{{0/0}}"/>');
W('expr-array','<view a="{{[1, arr, \'x\']}}" b="{{[]}}" c="{{[1,2][1]}}" d="{{[[1],[2]]}}"/>',{arr:[5,6]});
W('expr-object','<view a="{{ {a: 1, b: n} }}" b="{{ {a} }}" c="{{ {o} }}" d="{{ {a:1, a:2} }}"/>',{a:2,n:3,o:{q:1}});
W('expr-object-spread','<view a="{{ {...o} }}" b="{{ {...o, q:2} }}" c="{{ {q:2, ...o} }}" d="{{ {...o, ...p} }}" e="{{ {x:1, ...o, q:3} }}" f="{{ {...o, x:1} }}" g="{{ {y:1, ...o, x:1, ...p, z:0} }}" h="{{ {...u, x:1} }}"/>',{o:{q:1,z:1},p:{q:5,x:9}});
W('expr-literals','<view a="{{true}}" b="{{false}}" c="{{null}}" d="{{undefined}}"/>');
W('expr-proto-guard','<view a="{{o.__proto__}}" b="{{o.constructor}}" c="{{s.toFixed}}"/>',{o:{},s:1});
W('expr-data-function-call','<view a="{{x.y()}}" b="{{f()}}"/>',{x:{y:1}});
W('expr-data-own-only','<view>{{toString}}|{{constructor}}|{{hasOwnProperty}}</view>');
// wx:for
W('for-array','<view wx:for="{{list}}">{{index}}:{{item}}</view>',{list:['a','b']});
W('for-object','<view wx:for="{{o}}">{{index}}={{item}}</view>',{o:{a:1,b:2}});
W('for-string-literal','<view wx:for="abc" wx:for-item="c" wx:for-index="i">{{i}}{{c}}</view>');
W('for-string-expr','<view wx:for="{{s}}">{{item}}</view>',{s:'xy'});
W('for-number','<view wx:for="{{3}}">{{item}}</view>');
W('for-null','<view wx:for="{{n}}">{{item}}</view><view wx:for="{{u}}">x</view><view wx:for="{{true}}">y</view>',{n:null});
W('for-items-legacy','<view wx:for-items="{{[1,2]}}" wx:key="*this">{{item}}</view>');
W('for-key-field','<view wx:for="{{list}}" wx:key="id">{{item.id}}</view>',{list:[{id:'a'},{id:'b'}]});
W('for-names','<view wx:for="{{[1,2]}}" wx:for-item="x" wx:for-index="k">{{k}}{{x}}{{item}}{{index}}</view>',{item:'D',index:'I'});
W('for-restore-scope','<view wx:for="{{[1]}}">{{index}}</view>{{index}}{{item}}',{item:'D'});
W('for-nested','<view wx:for="{{rows}}" wx:for-item="row" wx:for-index="r"><text wx:for="{{row}}">{{r}}.{{index}}={{item}}</text></view>',{rows:[[1,2],[3]]});
W('for-block','<block wx:for="{{[1,2]}}"><text>{{item}}</text>-</block>');
W('for-with-if','<block wx:for="{{[1,2,3]}}" wx:if="{{item>1}}"><text>{{item}}</text></block>');
W('for-view-with-if','<view wx:for="{{[1,2,3]}}" wx:if="{{item % 2}}">{{item}}</view>');
W('for-empty-array','<view wx:for="{{[]}}">x</view><view>after</view>');
W('for-shadows-data','<view wx:for="{{list}}">{{item.name}}{{name}}</view>',{list:[{name:'n1'}],name:'top'});
// conditions
W('if-true','<view wx:if="{{a}}">A</view>',{a:1});
W('if-false','<view wx:if="{{a}}">A</view>',{a:0});
W('if-chain','<view wx:if="{{a}}">A</view><view wx:elif="{{b}}">B</view><view wx:else>C</view>',{b:true});
W('if-chain-else','<view wx:if="{{a}}">A</view><view wx:elif="{{b}}">B</view><view wx:else>C</view>');
W('if-chain-comment','<view wx:if="{{a}}">A</view> <!-- c --> <view wx:else>B</view>');
W('if-two-chains','<view wx:if="{{a}}">A</view><view wx:else>B</view><view wx:if="{{b}}">C</view><view wx:else>D</view>',{a:1});
W('if-block','<block wx:if="{{a}}">A</block><block wx:else><text>B</text>C</block><block class="x">D</block>');
W('if-string-false','<view wx:if="false">x</view><view wx:if="{{\'false\'}}">y</view><view wx:if="{{\'\'}}">z</view>');
W('if-empty-array','<view wx:if="{{[]}}">arr</view><view wx:if="{{0}}">zero</view>');
W('if-bare-static','<view wx:if="{{true}}">t</view><view wx:if="">e</view>');
W('if-nested','<view wx:if="{{a}}"><text wx:if="{{b}}">ab</text><text wx:else>a</text></view>',{a:1});
// templates
const T='<template name="t"><view a="{{a}}" item="{{item}}" x="{{x}}">{{a}}</view></template>';
W('tpl-data-shorthand',T+'<template is="t" data="{{item}}"/>',{item:{a:1},x:2});
W('tpl-data-spread',T+'<template is="t" data="{{...item}}"/>',{item:{a:1},x:2});
W('tpl-data-props',T+'<template is="t" data="{{a: 5, x}}"/>',{x:3});
W('tpl-no-data',T+'<template is="t"/>',{a:3});
W('tpl-dynamic-is',T+'<template is="{{n}}" data="{{a:1}}"/><template is="nope"/>',{n:'t'});
W('tpl-in-for',T+'<template is="t" data="{{item, a: 2}}" wx:for="{{[7,8]}}"/>');
W('tpl-recursive','<template name="r"><view>{{n}}<template is="r" data="{{n: n-1}}" wx:if="{{n>0}}"/></view></template><template is="r" data="{{n:2}}"/>');
W('tpl-mixed-data',T+'<template is="t" data=" {{a:1}}"/>');
W('tpl-if',T+'<template is="t" data="{{a:1}}" wx:if="{{c}}"/><template is="t" data="{{a:2}}" wx:else/>');
W('tpl-nested-call','<template name="in"><text>{{v}}</text></template><template name="out"><view><template is="in" data="{{v: w}}"/></view></template><template is="out" data="{{w: 9}}"/>');
W('tpl-multi-root','<template name="m"><text>a</text>b<text>c</text></template><view><template is="m"/></view>');
W('tpl-for-inside','<template name="l"><text wx:for="{{xs}}">{{item}}</text></template><template is="l" data="{{xs}}"/>',{xs:[1,2]});
W('tpl-defined-after','<template is="late"/><template name="late"><text>L</text></template>');
W('tpl-dup-name','<template name="d"><text>1</text></template><template name="d"><text>2</text></template><template is="d"/>');
W('tpl-spread-multi',T+'<template is="t" data="{{...o, ...p, x: 0}}"/>',{o:{a:1},p:{a:2,item:3}});
// import / include
cases.push({name:'include-basic',files:{'index.wxml':'<view>before</view><include src="a"/><view>after</view>','a.wxml':'<text>A {{x}}</text><template name="ta"><text>TA</text></template><template is="ta"/>'},data:{x:1}});
cases.push({name:'include-if-for',files:{'index.wxml':'<include wx:if="{{f}}" src="a"/><include src="a.wxml" wx:for="{{[1,2]}}"/><view><include src="./a"/></view>','a.wxml':'<text>A{{item}}</text>'},data:{f:false}});
cases.push({name:'include-wxs-of-includer',files:{'index.wxml':'<wxs module="m">module.exports={v:"M"}</wxs><include src="d"/><template is="td"/><import src="d"/>','d.wxml':'<text>{{m.v}}</text><template name="td"><text>{{m.v}}|</text></template>'}});
cases.push({name:'include-own-wxs-invisible',files:{'index.wxml':'<include src="a"/>','a.wxml':'<wxs module="w">module.exports={v:1}</wxs><text>{{w.v}}</text>'}});
cases.push({name:'include-imports-visible',files:{'index.wxml':'<include src="b"/><template is="tc"/><template is="tb"/>','b.wxml':'<import src="c"/><template name="tb"><text>TB</text></template><template is="tc"/>','c.wxml':'<template name="tc"><text>TC</text></template>'}});
cases.push({name:'import-not-transitive',files:{'index.wxml':'<import src="b"/><template is="tb"/><template is="tc"/>','b.wxml':'<import src="c"/><template name="tb"><text>TB</text><template is="tc"/></template>','c.wxml':'<template name="tc"><text>TC</text></template>'}});
cases.push({name:'import-own-wins',files:{'index.wxml':'<template name="x"><text>own</text></template><import src="e"/><template is="x"/>','e.wxml':'<template name="x"><text>imp</text></template>'}});
cases.push({name:'import-last-wins',files:{'index.wxml':'<import src="e"/><import src="f"/><template is="x"/>','e.wxml':'<template name="x"><text>e</text></template>','f.wxml':'<template name="x"><text>f</text></template>'}});
cases.push({name:'import-relative-up',path:'sub/index.wxml',files:{'sub/index.wxml':'<import src="../g.wxml"/><template is="g"/>','g.wxml':'<template name="g"><text>G</text></template><text>gi</text>'}});
cases.push({name:'import-absolute',path:'sub/index.wxml',files:{'sub/index.wxml':'<import src="/g.wxml"/><template is="g"/><include src="/g"/>','g.wxml':'<template name="g"><text>G</text></template><text>gi</text>'}});
cases.push({name:'import-data-scope',files:{'index.wxml':'<import src="t"/><template is="card" data="{{...c}}"/>','t.wxml':'<template name="card"><view class="card">{{title}}<text wx:if="{{sub}}">{{sub}}</text></view></template>'},data:{c:{title:'T',sub:'S'}}});
cases.push({name:'include-loop',files:{'index.wxml':'<include src="a"/>','a.wxml':'<text>a</text><include src="index"/>'}});
cases.push({name:'include-missing',files:{'index.wxml':'<view>x</view><include src="nope"/><import src="nope2"/><template is="zz"/>'}});
cases.push({name:'include-template-only-file',files:{'index.wxml':'<include src="a"/>','a.wxml':'<template name="t"><text>T</text></template><wxs module="q">module.exports={}</wxs>'}});
cases.push({name:'include-nested-dirs',path:'pages/p/index.wxml',files:{'pages/p/index.wxml':'<include src="../../common/h.wxml"/>','common/h.wxml':'<view>H</view><include src="f"/>','common/f.wxml':'<view>F</view>'}});
// wxs
W('wxs-inline','<wxs module="m">\nvar x = 1 < 2; // a <view> comment\nmodule.exports = { x: x, f: function(s) { return s.toUpperCase() + "!" } };\n</wxs><view a="{{m.x}}">{{m.f("ab")}}</view>');
W('wxs-shadows-scope','<wxs module="m">module.exports={v:1}</wxs><view wx:for="{{[1]}}" wx:for-item="m">{{m.v}}</view>',{m:{v:'data'}});
W('wxs-args-copy','<wxs module="m">module.exports={g: function(o){ return o.k + o.arr.length + "" + o.arr[0].z; }}</wxs><view a="{{m.g(o)}}"/>',{o:{k:'K',arr:[{z:9}]}});
W('wxs-result-copy','<wxs module="m">module.exports={h: function(){ return {a: 1, b: [{c: 2}], d: function(){}}; }}</wxs><view b="{{m.h()}}"/>');
W('wxs-builtins','<wxs module="m">module.exports={d: getDate(2020, 0, 1).getFullYear(), r: getRegExp("^a", "i").test("Abc"), p: parseInt("42px"), j: JSON.stringify({a:[1,"x"]}), mx: Math.max(1, 5), pi: Math.floor(Math.PI * 100), nm: Number.MAX_VALUE > 1}</wxs><view d="{{m.d}}" r="{{m.r}}" p="{{m.p}}" j="{{m.j}}" mx="{{m.mx}}" pi="{{m.pi}}" nm="{{m.nm}}"/>');
W('wxs-string-methods','<wxs module="m">module.exports={f:function(s){ return [s.length, s.indexOf("b"), s.slice(1), s.split(","), s.replace("a","z"), s.toUpperCase(), s.substring(0,2), s.charAt(0), s.trim()]; }}</wxs><view a="{{m.f(\' a,b \')}}"/>');
W('wxs-array-methods','<wxs module="m">module.exports={f:function(a){ var r = a.map(function(x){return x*2}).filter(function(x){return x>2}); r.push(9); return [r, r.length, r.join("-"), a.indexOf(2), a.slice(1), a.concat([7]), a.reduce(function(s,x){return s+x}, 0)]; }}</wxs><view a="{{m.f(arr)}}"/>',{arr:[1,2,3]});
W('wxs-number-methods','<wxs module="m">module.exports={f:function(n){ return [n.toFixed(2), n.toString(), parseFloat("1.5")+n]; }}</wxs><view a="{{m.f(3.14159)}}"/>');
W('wxs-unsupported-method','<wxs module="m">module.exports={f:function(s){ return s.padStart(5); }}</wxs><view a="{{m.f(\'x\')}}">x</view>');
W('wxs-computed-keys','<wxs module="m">var o = {k: 1, "s": 2}; var a = [5,6]; module.exports={f:function(k){ return [o[k], o["s"], a[1], a[k]]; }}</wxs><view a="{{m.f(\'k\')}}" b="{{m.f(0)}}"/>');
W('wxs-state','<wxs module="m">var n = 0; module.exports={inc:function(){ n++; return n; }}</wxs><view>{{m.inc()}}{{m.inc()}}</view>');
W('wxs-arguments','<wxs module="m">module.exports={f:function(){ return arguments.length; }}</wxs><view a="{{m.f(1,2,3)}}"/>');
W('wxs-no-semicolons','<wxs module="m">\nvar a = 1\nvar b = 2\nmodule.exports = {s: a + b}\n</wxs><view a="{{m.s}}"/>');
W('wxs-control-flow','<wxs module="m">function f(n) { var s = 0; for (var i = 0; i < n; i++) { if (i % 2 == 0) continue; s += i; } var j = 0; while (j < 3) { j++; } do { j--; } while (j > 0); switch (n) { case 1: s = -1; break; default: s = s * 10; } return s + j; }\nmodule.exports = {f: f};</wxs><view a="{{m.f(5)}}" b="{{m.f(1)}}"/>');
W('wxs-typeof-delete','<wxs module="m">module.exports={f:function(o){ var t = typeof o; delete o.a; return [t, o, typeof o.b, o.a === undefined]; }}</wxs><view a="{{m.f(x)}}"/>',{x:{a:1,b:'s'}});
W('wxs-nested-objects','<wxs module="m">module.exports={cfg:{a:{b:[1,{c:"d"}]}}, f: function(){ return {x: {y: "z"}}; }}</wxs><view a="{{m.cfg.a.b[1].c}}" b="{{m.f().x.y}}" c="{{m.cfg}}"/>');
W('wxs-call-in-for','<wxs module="fmt">module.exports={price:function(c){ return (c/100).toFixed(2); }}</wxs><text wx:for="{{ps}}">{{fmt.price(item)}};</text>',{ps:[100,2550]});
W('wxs-function-attr-text','<wxs module="m">module.exports={f:function(){return 1}}</wxs><view a="{{m.nope()}}" b="{{m.f(1)}}"/>');
W('wxs-throws','<wxs module="m">module.exports={f:function(o){ return o.x.y; }}</wxs><view a="{{m.f(null)}}">ok</view>');
W('wxs-date-methods','<wxs module="m">module.exports={f:function(){ var d = getDate(2021, 5, 15, 10, 30); return [d.getMonth(), d.getDate(), d.getDay(), d.getHours(), d.getMinutes()]; }}</wxs><view a="{{m.f()}}"/>');
W('wxs-regexp','<wxs module="m">module.exports={f:function(s){ var re = getRegExp("[0-9]+", "g"); return [s.replace(re, "#"), re.test(s), s.match(getRegExp("[a-z]+"))[0]]; }}</wxs><view a="{{m.f(\'ab12cd34\')}}"/>');
W('wxs-ternary-objects','<wxs module="m">module.exports={f:function(x){ return x ? {a: 1} : {b: 2}; }}</wxs><view a="{{m.f(1)}}" b="{{m.f(0)}}"/>');
W('wxs-module-string-keys','<wxs module="m">module.exports={"k": 1, v: "s"}</wxs><view a="{{m.k}}" b="{{m.v}}"/>');
W('wxs-in-template','<wxs module="m">module.exports={v:"V"}</wxs><template name="t"><text>{{m.v}}</text></template><template is="t"/>');
cases.push({name:'wxs-external',files:{'index.wxml':'<wxs module="u" src="./u.wxs"/><view a="{{u.f(2)}}" b="{{u.b.x}}" c="{{u.k}}"/>','u.wxs':'var b = require("./v.wxs");\nmodule.exports = { f: function(n) { return n * b.x; }, b: b, k: "K" };','v.wxs':'module.exports.x = 21;'}});
cases.push({name:'wxs-external-subdir',files:{'index.wxml':'<wxs module="u" src="lib/u.wxs"/><view a="{{u.v}}"/>','lib/u.wxs':'var w = require("../w.wxs"); module.exports = { v: w.name + "!" };','w.wxs':'module.exports = {name: "w"};'}});
cases.push({name:'wxs-external-absolute',path:'p/index.wxml',files:{'p/index.wxml':'<wxs module="u" src="/lib/u.wxs"/><view a="{{u.v}}"/>','lib/u.wxs':'module.exports = { v: 7 };'}});
cases.push({name:'wxs-shared-instance',files:{'index.wxml':'<wxs module="a" src="c.wxs"/><wxs module="b" src="c.wxs"/><view>{{a.inc()}}{{b.inc()}}</view>','c.wxs':'var n = 0; module.exports = {inc: function(){ return ++n; }};'}});
// elements
W('el-custom-tags','<my-comp/><Foo-Bar x="1"></Foo-Bar><div><span>s</span></div>');
W('el-self-closing-br','<view>a<br/>b</view><input value="1"/>');
W('el-slot','<view><slot/><slot name="x"></slot></view>');
W('el-block-attrs-ignored','<block a="1"><text>x</text></block>');
W('el-nested-deep','<view><view><view><text>{{a.b}}</text></view></view></view>',{a:{b:'deep'}});
W('el-close-with-space','<view >x</view >');
// errors
W('err-unclosed','<view>');
W('err-mismatch','<view></text>');
W('err-close-without-open','</view>');
W('err-unterminated-attr-expr','<view a="{{x"/>');
W('err-unterminated-text-expr','<view>{{x</view>');
W('err-lt-in-text','<view>a < b</view>');
W('err-unquoted','<view c=3/>');
W('err-newline-in-attr','<view a="x\ny"/>');
W('err-bad-expr','<view a="{{1 +}}"/>');
W('err-else-without-if','<view wx:else>x</view>');
W('err-cdata','<view><![CDATA[x]]></view>');
W('err-void-img','<img src="a"><view/>');
module.exports=cases;

cases.push(...[
 ['attr-hyphen-camel','<view hover-class="h" hover-stay-time="{{50}}" x-y="1" aria-label="l"/>'],
 ['attr-bind-hyphen','<view bind:my-ev="a" catch:my-ev="b" bindmy-ev="c"/>'],
 ['expr-triple-brace','<view>{{a}}}</view>',{a:1}],
 ['for-else-after','<view wx:for="{{[1]}}" wx:if="{{item}}">x</view><view wx:else>y</view>'],
 ['page-like','<view class="page">\n  <view class="header {{dark ? \'dark\' : \'\'}}" style="height: {{h}}px">\n    <text class="title">{{title}}</text>\n  </view>\n  <view wx:for="{{items}}" wx:key="id" class="item" data-id="{{item.id}}" bindtap="onTap">\n    <image src="{{item.img}}" mode="aspectFill"/>\n    <text>{{index + 1}}. {{item.name}}</text>\n    <text wx:if="{{item.price > 100}}" class="exp">expensive</text>\n    <text wx:else>cheap</text>\n  </view>\n  <view wx:if="{{!items.length}}">empty</view>\n</view>',{dark:true,h:44,title:'Shop',items:[{id:1,name:'A',img:'/a.png',price:150},{id:2,name:'B',img:'/b.png',price:5}]}],
 ['input-model','<input model:value="{{v}}" value2="{{v}}" type="text" placeholder="p"/>',{v:'V'}],
 ['block-else','<block wx:if="{{a}}"><text>a</text></block><block wx:elif="{{b}}"><text>b</text></block><block wx:else><text>c</text></block>',{b:1}],
 ['text-after-chain','<view wx:if="{{a}}">A</view>mid<view wx:if="{{!a}}">B</view>'],
 ['for-index-math','<view wx:for="{{list}}" class="{{index % 2 == 0 ? \'even\' : \'odd\'}}">{{index * 10 + item}}</view>',{list:[1,2,3]}],
 ['for-object-key-this','<view wx:for="{{o}}" wx:key="*this">{{index}}</view>',{o:{x:'a',y:'b'}}],
 ['tpl-is-expr','<template name="a"><text>A</text></template><template name="b"><text>B</text></template><template wx:for="{{[\'a\',\'b\',\'a\']}}" is="{{item}}"/>'],
 ['tpl-is-ternary','<template name="a"><text>A{{v}}</text></template><template name="b"><text>B{{v}}</text></template><template is="{{x ? \'a\' : \'b\'}}" data="{{v: x}}"/>',{x:0}],
 ['tpl-data-nested-obj','<template name="t"><text>{{o.p.q}}</text></template><template is="t" data="{{o: {p: {q: 5}}}}"/>'],
 ['wxs-module-and-loop','<wxs module="u">module.exports={up:function(s){return s.toUpperCase()}}</wxs><view wx:for="{{names}}">{{u.up(item)}}</view>',{names:['ab','cd']}],
 ['wxs-bad-call-args','<wxs module="u">module.exports={f:function(a,b){return [a,b]}}</wxs><view a="{{u.f(1)}}"/>'],
 ['expr-string-concat-types','<view a="{{1 + 2 + \'3\'}}" b="{{\'1\' + 2 + 3}}" c="{{o + \'\'}}" d="{{arr + 1}}"/>',{o:{},arr:[1,2]}],
 ['expr-compare-null','<view a="{{n == undefined}}" b="{{n === null}}" c="{{u == null}}" d="{{u === undefined}}"/>',{n:null}],
 ['attr-newline-between','<view\n\tclass="a"\n\tid="b"\n/>'],
 ['text-tabs','<view>\ta\tb\t</view>'],
 ['el-empty-root',''],
 ['el-only-comments','<!-- a --><!-- b -->'],
].map(([name,wxml,data])=>({name,files:{'index.wxml':wxml},data:data||{}})));
