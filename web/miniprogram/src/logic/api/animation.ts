// wx.createAnimation: an Animation collects transforms and styles into
// steps; export() hands them to setData, and the node's `animation`
// attribute carries them to the view, which plays them as CSS transitions
// (src/view/api/animation.ts).
//
// Exported data (WeChat's shape):
//   {actions: [{animates: [{type: "rotate", args: [45]}, {type: "style", args: ["opacity", 0.5]}, …],
//               option: {transition: {duration, timingFunction, delay}, transformOrigin}}]}
// Transform types: matrix, matrix3d, rotate, rotate3d, rotateX/Y/Z, scale, scale3d, scaleX/Y/Z,
// skew, skewX/Y, translate, translate3d, translateX/Y/Z (numbers: px for lengths, deg for angles).

import { defineApi } from '../api';

const TIMING = ['linear', 'ease', 'ease-in', 'ease-in-out', 'ease-out', 'step-start', 'step-end'];

interface StepOption {
  duration: number;
  timingFunction: string;
  delay: number;
  transformOrigin: string;
}

type Animate = { type: string; args: unknown[] };

class Animation {
  private current: Animate[] = [];
  private actions: Array<{ animates: Animate[]; option: Record<string, unknown> }> = [];
  constructor(private defaults: StepOption) {}

  private t(type: string, args: unknown[]) {
    this.current.push({ type, args });
    return this;
  }
  private s(name: string, value: unknown) {
    this.current.push({ type: 'style', args: [name, typeof value === 'number' ? value + 'px' : value] });
    return this;
  }

  step(o: Partial<StepOption> = {}) {
    const d = this.defaults;
    const tf = o.timingFunction && TIMING.includes(o.timingFunction) ? o.timingFunction : d.timingFunction;
    this.actions.push({
      animates: this.current,
      option: {
        transformOrigin: o.transformOrigin ?? d.transformOrigin,
        transition: { duration: o.duration ?? d.duration, timingFunction: tf, delay: o.delay ?? d.delay },
      },
    });
    this.current = [];
    return this;
  }

  /** The steps so far (a pending unstepped group becomes a last step); the list starts over. */
  export() {
    if (this.current.length) this.step();
    const actions = this.actions;
    this.actions = [];
    return { actions };
  }

  opacity(v: number) {
    this.current.push({ type: 'style', args: ['opacity', v] });
    return this;
  }
  backgroundColor(v: string) {
    this.current.push({ type: 'style', args: ['background-color', v] });
    return this;
  }
  width(v: number | string) { return this.s('width', v); }
  height(v: number | string) { return this.s('height', v); }
  top(v: number | string) { return this.s('top', v); }
  left(v: number | string) { return this.s('left', v); }
  bottom(v: number | string) { return this.s('bottom', v); }
  right(v: number | string) { return this.s('right', v); }

  rotate(a: number) { return this.t('rotate', [a]); }
  rotateX(a: number) { return this.t('rotateX', [a]); }
  rotateY(a: number) { return this.t('rotateY', [a]); }
  rotateZ(a: number) { return this.t('rotateZ', [a]); }
  rotate3d(x: number, y: number, z: number, a: number) { return this.t('rotate3d', [x, y, z, a]); }
  scale(x: number, y?: number) { return this.t('scale', y === undefined ? [x, x] : [x, y]); }
  scaleX(x: number) { return this.t('scaleX', [x]); }
  scaleY(y: number) { return this.t('scaleY', [y]); }
  scaleZ(z: number) { return this.t('scaleZ', [z]); }
  scale3d(x: number, y: number, z: number) { return this.t('scale3d', [x, y, z]); }
  translate(x: number, y?: number) { return this.t('translate', [x, y ?? 0]); }
  translateX(x: number) { return this.t('translateX', [x]); }
  translateY(y: number) { return this.t('translateY', [y]); }
  translateZ(z: number) { return this.t('translateZ', [z]); }
  translate3d(x: number, y: number, z: number) { return this.t('translate3d', [x, y, z]); }
  skew(x: number, y?: number) { return this.t('skew', [x, y ?? 0]); }
  skewX(x: number) { return this.t('skewX', [x]); }
  skewY(y: number) { return this.t('skewY', [y]); }
  matrix(...m: number[]) { return this.t('matrix', m); }
  matrix3d(...m: number[]) { return this.t('matrix3d', m); }
}

defineApi('createAnimation', (o: Record<string, unknown> = {}) => {
  o = o || {};
  const tf = String(o.timingFunction ?? 'linear');
  return new Animation({
    duration: o.duration === undefined ? 400 : Number(o.duration),
    timingFunction: TIMING.includes(tf) ? tf : 'linear',
    delay: Number(o.delay) || 0,
    transformOrigin: String(o.transformOrigin ?? '50% 50% 0'),
  });
});
