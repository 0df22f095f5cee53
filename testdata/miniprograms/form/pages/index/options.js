// Choices shown by the pickers, checkboxes and radios.
export const cities = ['北京', '上海', '广州', '深圳']

export const multiColumns = [
  ['早餐', '午餐', '晚餐'],
  ['米饭', '面条', '饺子', '沙拉']
]

export const hobbies = [
  { value: 'read', name: '阅读' },
  { value: 'run', name: '跑步' },
  { value: 'music', name: '音乐' }
]

export const genders = [
  { value: 'm', name: '男' },
  { value: 'f', name: '女' }
]

export const years = Array.from({ length: 10 }, (_, i) => 2015 + i)
export const months = Array.from({ length: 12 }, (_, i) => i + 1)
