import { cities, multiColumns, hobbies, genders, years, months } from './options'

const initial = {
  cityIndex: 0,
  mealIndex: [1, 2],
  date: '2024-05-20',
  time: '12:30',
  region: ['广东省', '广州市', '海珠区'],
  pvValue: [9, 0],
  subscribed: true
}

Page({
  data: {
    cities,
    multiColumns,
    hobbies,
    genders,
    years,
    months,
    ...initial,
    checkedHobbies: ['read'],
    sliding: 6,
    submitCount: 0,
    resetCount: 0,
    resultJson: ''
  },

  onHobbies(e) {
    this.setData({ checkedHobbies: e.detail.value })
  },

  onSwitch(e) {
    this.setData({ subscribed: e.detail.value })
  },

  onSliding(e) {
    this.setData({ sliding: e.detail.value })
  },

  onCity(e) {
    this.setData({ cityIndex: Number(e.detail.value) })
  },

  onMeal(e) {
    this.setData({ mealIndex: e.detail.value })
  },

  onMealColumn(e) {
    const { column, value } = e.detail
    this.setData({ [`mealIndex[${column}]`]: value })
  },

  onDate(e) {
    this.setData({ date: e.detail.value })
  },

  onTime(e) {
    this.setData({ time: e.detail.value })
  },

  onRegion(e) {
    this.setData({ region: e.detail.value })
  },

  onPickerView(e) {
    this.setData({ pvValue: e.detail.value })
  },

  onSubmit(e) {
    // picker-view is not a form field: add its selection by hand.
    const [y, m] = this.data.pvValue
    const result = { ...e.detail.value, yearMonth: `${years[y]}-${months[m]}` }
    this.setData({
      submitCount: this.data.submitCount + 1,
      resultJson: JSON.stringify(result)
    })
  },

  onReset() {
    this.setData({ ...initial, resetCount: this.data.resetCount + 1, resultJson: '' })
  }
})
