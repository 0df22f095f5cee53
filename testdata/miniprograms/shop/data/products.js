// Local product catalogue: no network needed. Prices are in cents.
export const categories = [
  { id: 'fruit', name: '水果' },
  { id: 'snack', name: '零食' },
  { id: 'drink', name: '饮料' }
]

export const products = [
  { id: 101, category: 'fruit', title: '赣南脐橙 5斤装', price: 3990, image: '/images/products/p1.png', tags: ['产地直发', '包邮'], desc: '果肉饱满，酸甜多汁。' },
  { id: 102, category: 'fruit', title: '烟台红富士苹果 10个', price: 4590, image: '/images/products/p2.png', tags: ['新鲜'], desc: '脆甜可口，当季采摘。' },
  { id: 103, category: 'snack', title: '每日坚果 30袋', price: 8900, image: '/images/products/p3.png', tags: ['热销'], desc: '六种坚果果干科学配比。' },
  { id: 104, category: 'snack', title: '手工牛轧糖 500g', price: 2980, image: '/images/products/p4.png', tags: [], desc: '台湾风味，奶香浓郁。' },
  { id: 105, category: 'drink', title: '冷萃咖啡液 12杯', price: 5900, image: '/images/products/p5.png', tags: ['新品'], desc: '0糖0脂，冷水即溶。' },
  { id: 106, category: 'drink', title: '东方树叶 900ml×12', price: 6480, image: '/images/products/p6.png', tags: ['整箱'], desc: '原叶茶饮，无糖。' }
]

export function findProduct(id) {
  return products.find(p => p.id === Number(id))
}

export function byCategory(category) {
  return products.filter(p => p.category === category)
}
