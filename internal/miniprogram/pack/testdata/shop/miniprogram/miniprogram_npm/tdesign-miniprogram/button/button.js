"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
var utils_1 = require("../common/utils");
Component({ properties: { theme: { type: String, value: 'default' }, icon: String },
  methods: { onTap: function (e) { this.triggerEvent('tap', utils_1.pick(e, 'detail')) } } });
