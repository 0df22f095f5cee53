// Articles are generated locally, 10 per page, 5 pages per category: the
// fixture needs no network. fetchPage resolves asynchronously like a request.
export const PAGE_SIZE = 10
export const PAGE_COUNT = 5

export const categories = [
  { id: 'hot', name: '热点' },
  { id: 'tech', name: '科技' },
  { id: 'finance', name: '财经' },
  { id: 'sports', name: '体育' },
  { id: 'ent', name: '娱乐' },
  { id: 'car', name: '汽车' },
  { id: 'travel', name: '旅游' },
  { id: 'food', name: '美食' }
]

const sources = ['新华社', '科技日报', '体育周刊', '旅行家']

function article(category, n) {
  const name = categories.find(c => c.id === category).name
  return {
    id: `${category}-${n}`,
    category,
    title: `${name}新闻第 ${n} 条：这是一条用于测试的标题`,
    summary: `第 ${n} 条${name}资讯的摘要，内容由本地生成。`,
    source: sources[n % sources.length],
    comments: (n * 37) % 500,
    thumb: '/images/thumb.png'
  }
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

export async function fetchPage(category, page) {
  await sleep(30)
  if (page > PAGE_COUNT) return { list: [], hasMore: false }
  const start = (page - 1) * PAGE_SIZE + 1
  const list = Array.from({ length: PAGE_SIZE }, (_, i) => article(category, start + i))
  return { list, hasMore: page < PAGE_COUNT }
}

export function getArticle(id) {
  const [category, n] = id.split('-')
  const base = article(category, Number(n))
  return {
    ...base,
    html: `<h2 class="h">${base.title}</h2>` +
      `<p style="color:#666">来源：${base.source}</p>` +
      `<p>${base.summary}<strong>重点</strong>内容如下：</p>` +
      '<ul><li>第一点</li><li>第二点</li></ul>' +
      '<img src="/images/thumb.png" width="96" height="72"/>' +
      '<p>全文完。</p>'
  }
}
