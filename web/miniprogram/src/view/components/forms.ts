// Form controls: button, input, textarea, label, checkbox(-group),
// radio(-group), switch, slider, form; and navigator.

import { registerTempFile } from "../api/media";
import { defineWidget, widgetOf } from "../widget";
import type { Widget, WidgetContext } from "../widget";
import { clamp, controlOf, fieldName, flag, h, hover, reactive, setControl, setFieldName } from "./util";
import type { Props } from "./util";

// ---- button ------------------------------------------------------------------

/** open-type events this runtime cannot serve, with WeChat's API name for errMsg. */
const OPEN_TYPE_UNSUPPORTED: Record<string, [string, string]> = {
  getUserInfo: ["getuserinfo", "getUserInfo"],
  getPhoneNumber: ["getphonenumber", "getPhoneNumber"],
  getRealtimePhoneNumber: ["getrealtimephonenumber", "getRealtimePhoneNumber"],
  contact: ["contact", "enterContact"],
  openSetting: ["opensetting", "openSetting"],
  launchApp: ["error", "launchApp"],
  feedback: ["error", "feedback"],
};

defineWidget("button", (ctx) => {
  const el = ctx.el;
  const spinner = document.createElement("i");
  spinner.className = "wx-button-loading";
  let avatarInput: HTMLInputElement | null = null;

  const render = () => {
    const p = r.props;
    const type = p.str("type", "default");
    el.setAttribute("type", ["primary", "warn", "default"].includes(type) ? type : "default");
    el.setAttribute("size", p.str("size", "default") === "mini" ? "mini" : "default");
    flag(el, "plain", p.bool("plain"));
    flag(el, "disabled", p.bool("disabled"));
    flag(el, "loading", p.bool("loading"));
    el.setAttribute("role", "button");
    el.setAttribute("aria-disabled", String(p.bool("disabled")));
    if (p.bool("loading")) {
      if (spinner.parentNode !== el) el.insertBefore(spinner, el.firstChild);
    } else spinner.remove();
  };
  const r = reactive(ctx, render);
  render();
  const stopHover = hover(el, r.props, { className: "button-hover", startTime: 20, stayTime: 70 }, () => r.props.bool("disabled"));

  const chooseAvatar = () => {
    if (!avatarInput) {
      avatarInput = document.createElement("input");
      avatarInput.type = "file";
      avatarInput.accept = "image/*";
      avatarInput.addEventListener("change", () => {
        const f = avatarInput?.files?.[0];
        if (f) {
          const avatarUrl = URL.createObjectURL(f);
          // A temp file like chooseImage's, so wx.uploadFile can send it.
          registerTempFile(avatarUrl, f);
          ctx.emit("chooseavatar", { avatarUrl });
        }
        if (avatarInput) avatarInput.value = "";
      });
    }
    avatarInput.click();
  };

  const onClick = () => {
    const p = r.props;
    if (p.bool("disabled")) return;
    const formType = p.str("formType");
    if (formType === "submit" || formType === "reset") {
      const form = controlOf(el.closest("wx-form"));
      if (formType === "submit") form?.submit?.(el);
      else form?.resetAll?.();
    }
    const openType = p.str("openType");
    if (!openType) return;
    if (openType === "share") ctx.emit("opentype", { type: "share" });
    else if (openType === "chooseAvatar") chooseAvatar();
    else if (openType === "agreePrivacyAuthorization") ctx.emit("agreeprivacyauthorization", {});
    else {
      const [event, api] = OPEN_TYPE_UNSUPPORTED[openType] ?? ["error", openType];
      ctx.emit(event, { errMsg: `${api}:fail not supported in this runtime` });
    }
  };
  el.addEventListener("click", onClick);
  setControl(el, { activate: onClick });
  return {
    update: r.update,
    destroy() {
      stopHover();
      el.removeEventListener("click", onClick);
    },
  };
});

// ---- input / textarea ------------------------------------------------------------

function textField(ctx: WidgetContext, multiline: boolean): Widget {
  const el = ctx.el;
  const placeholder = h("div", "wx-input-placeholder", el);
  const field: HTMLInputElement | HTMLTextAreaElement = multiline
    ? h("textarea", "wx-textarea-field", el)
    : h("input", "wx-input-field", el);
  let lastKeyCode = 0;
  let composing = false;
  let lineCount = 0;
  let initial = true;

  const maxLength = () => {
    const m = r.props.num("maxlength", 140);
    return m < 0 ? -1 : Math.floor(m);
  };
  const clip = (v: string) => {
    const m = maxLength();
    return m >= 0 && v.length > m ? v.slice(0, m) : v;
  };
  const showPlaceholder = () => {
    placeholder.style.display = field.value === "" && !composing ? "" : "none";
  };
  const setValue = (raw: unknown) => {
    const v = clip(raw === undefined || raw === null ? "" : String(raw));
    if (field.value !== v) {
      const focused = document.activeElement === field;
      const pos = field.selectionStart ?? v.length;
      field.value = v;
      if (focused) field.setSelectionRange(Math.min(pos, v.length), Math.min(pos, v.length));
    }
    showPlaceholder();
    autoHeight();
  };
  const autoHeight = () => {
    if (!multiline) return;
    const ta = field as HTMLTextAreaElement;
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
    if (r.props.bool("autoHeight")) {
      el.setAttribute("auto-height", "");
      ta.style.height = "0px";
      const hgt = Math.max(ta.scrollHeight, lh);
      ta.style.height = "";
      el.style.height = `${hgt}px`;
    } else if (el.hasAttribute("auto-height")) {
      el.removeAttribute("auto-height");
      el.style.height = "";
    }
    const lines = Math.max(1, Math.round(ta.scrollHeight / lh));
    if (lines !== lineCount) {
      const first = lineCount === 0;
      lineCount = lines;
      if (!first) {
        const height = lines * lh;
        ctx.emit("linechange", { height, heightRpx: Math.round((height * 750) / window.innerWidth), lineCount: lines });
      }
    }
  };

  const apply = (name: string) => {
    const p = r.props;
    switch (name) {
      case "value":
        setValue(p.raw("value"));
        break;
      case "placeholder":
        placeholder.textContent = p.str("placeholder");
        break;
      case "placeholderStyle":
        placeholder.setAttribute("style", p.str("placeholderStyle"));
        showPlaceholder();
        break;
      case "placeholderClass":
        placeholder.className = `wx-input-placeholder ${p.has("placeholderClass") ? p.str("placeholderClass") : multiline ? "textarea-placeholder" : "input-placeholder"}`;
        break;
      case "disabled":
        field.disabled = p.bool("disabled");
        flag(el, "disabled", p.bool("disabled"));
        break;
      case "maxlength": {
        const m = maxLength();
        if (m >= 0) field.maxLength = m;
        else field.removeAttribute("maxlength");
        setValue(field.value);
        break;
      }
      case "type":
      case "password": {
        if (multiline) break;
        const input = field as HTMLInputElement;
        const type = p.str("type", "text");
        input.type = p.bool("password") || type === "safe-password" ? "password" : "text";
        input.inputMode = type === "number" ? "numeric" : type === "digit" ? "decimal" : type === "idcard" ? "text" : "text";
        input.setAttribute("autocomplete", type === "nickname" ? "nickname" : "off");
        break;
      }
      case "confirmType":
        field.enterKeyHint = (multiline ? p.str("confirmType", "return") : p.str("confirmType", "done")) === "return" ? "enter" : (p.str("confirmType", "done") as "done" | "go" | "next" | "search" | "send");
        break;
      case "focus":
      case "autoFocus":
        if (p.bool("focus") || (initial && p.bool("autoFocus"))) queueMicrotask(() => field.focus());
        else if (name === "focus" && document.activeElement === field) field.blur();
        break;
      case "cursor":
      case "selectionStart":
      case "selectionEnd":
        selection();
        break;
      case "autoHeight":
        autoHeight();
        break;
      case "name":
        setFieldName(el, p);
        break;
    }
  };
  const selection = () => {
    if (document.activeElement !== field) return;
    const p = r.props;
    const s = p.num("selectionStart", -1);
    const e = p.num("selectionEnd", -1);
    if (s >= 0 && e >= 0) field.setSelectionRange(s, e);
    else {
      const c = p.num("cursor", -1);
      if (c >= 0) field.setSelectionRange(c, c);
    }
  };

  const r = reactive(ctx, apply);
  for (const n of ["placeholderClass", "placeholder", "placeholderStyle", "disabled", "maxlength", "type", "confirmType", "value", "name", "autoHeight", "focus", "autoFocus"]) apply(n);
  initial = false;

  const onInput = () => {
    if (composing) return;
    showPlaceholder();
    autoHeight();
    ctx.emit("input", { value: field.value, cursor: field.selectionStart ?? field.value.length, keyCode: lastKeyCode });
  };
  const onKeyDown = (e: Event) => {
    const k = e as KeyboardEvent;
    lastKeyCode = k.keyCode;
    if (k.key !== "Enter" || k.isComposing) return;
    const confirmType = r.props.str("confirmType", multiline ? "return" : "done");
    if (multiline && (confirmType === "return" || k.shiftKey)) return;
    e.preventDefault();
    ctx.emit("confirm", { value: field.value });
    if (!r.props.bool("confirmHold")) field.blur();
  };
  const keyboard = () => {
    const vv = window.visualViewport;
    const height = vv ? Math.max(0, Math.round(window.innerHeight - vv.height)) : 0;
    ctx.emit("keyboardheightchange", { height, duration: 0 });
  };
  const onFocus = () => {
    el.setAttribute("focused", "");
    selection();
    // No on-screen keyboard is known to the page: height is what the visual viewport lost.
    const vv = window.visualViewport;
    const height = vv ? Math.max(0, Math.round(window.innerHeight - vv.height)) : 0;
    ctx.emit("focus", { value: field.value, height });
    window.visualViewport?.addEventListener("resize", keyboard);
  };
  const onBlur = () => {
    el.removeAttribute("focused");
    window.visualViewport?.removeEventListener("resize", keyboard);
    ctx.emit("blur", { value: field.value, cursor: field.selectionStart ?? field.value.length });
  };
  const onCompositionStart = () => {
    composing = true;
    showPlaceholder();
  };
  const onCompositionEnd = () => {
    composing = false;
    onInput();
  };
  field.addEventListener("input", onInput);
  field.addEventListener("keydown", onKeyDown);
  field.addEventListener("focus", onFocus);
  field.addEventListener("blur", onBlur);
  field.addEventListener("compositionstart", onCompositionStart);
  field.addEventListener("compositionend", onCompositionEnd);
  setControl(el, { activate: () => field.focus() });
  // A tap on the padding of the element focuses the field, as on a phone.
  el.addEventListener("click", (e) => {
    if (e.target !== field && !field.disabled) field.focus();
  });

  return {
    update: r.update,
    slot: h("span", "wx-hidden-slot", el),
    formValue: () => field.value,
    reset() {
      field.value = "";
      showPlaceholder();
      autoHeight();
    },
    destroy() {
      window.visualViewport?.removeEventListener("resize", keyboard);
    },
  };
}
defineWidget("input", (ctx) => textField(ctx, false));
defineWidget("textarea", (ctx) => textField(ctx, true));

// ---- label ------------------------------------------------------------------

const LABELLED = "wx-button, wx-checkbox, wx-radio, wx-switch, wx-input, wx-textarea";

defineWidget("label", (ctx) => {
  const r = reactive(ctx, () => {});
  const target = (): Element | null => {
    const id = r.props.str("for");
    if (id) {
      const root = ctx.el.getRootNode() as Document | ShadowRoot;
      return root.querySelector(`#${CSS.escape(id)}`);
    }
    return ctx.el.querySelector(LABELLED);
  };
  const onClick = (e: MouseEvent) => {
    const t = target();
    if (!t || (e.target instanceof Node && t.contains(e.target))) return;
    controlOf(t)?.activate?.();
  };
  ctx.el.addEventListener("click", onClick);
  return { update: r.update, destroy: () => ctx.el.removeEventListener("click", onClick) };
});

// ---- checkbox / radio ------------------------------------------------------------

function checkable(ctx: WidgetContext, kind: "checkbox" | "radio"): Widget {
  const el = ctx.el;
  const box = h("i", `wx-${kind}-input`);
  el.insertBefore(box, el.firstChild);
  let checked = false;
  const groupTag = `wx-${kind}-group`;

  const paint = () => {
    flag(el, "checked", checked);
    flag(box, "checked", checked);
    el.setAttribute("aria-checked", String(checked));
    const color = r.props.str("color", "#07c160");
    box.style.setProperty("--wx-check-color", color);
  };
  const r = reactive(ctx, (name) => {
    if (name === "checked") checked = r.props.bool("checked");
    if (name === "disabled") flag(el, "disabled", r.props.bool("disabled"));
    paint();
  });
  checked = r.props.bool("checked");
  flag(el, "disabled", r.props.bool("disabled"));
  el.setAttribute("role", kind);
  paint();

  const toggle = () => {
    if (r.props.bool("disabled")) return;
    if (kind === "radio" && checked) return;
    checked = !checked;
    paint();
    const group = el.closest(groupTag);
    controlOf(group)?.memberChanged?.(el);
  };
  el.addEventListener("click", toggle);
  setControl(el, {
    activate: toggle,
    checked: () => checked,
    value: () => r.props.str("value"),
    setChecked(on: boolean) {
      checked = on;
      paint();
    },
  });
  return { update: r.update, destroy: () => el.removeEventListener("click", toggle) };
}
defineWidget("checkbox", (ctx) => checkable(ctx, "checkbox"));
defineWidget("radio", (ctx) => checkable(ctx, "radio"));

function group(ctx: WidgetContext, kind: "checkbox" | "radio"): Widget {
  const el = ctx.el;
  const groupTag = `wx-${kind}-group`;
  const members = () => Array.from(el.querySelectorAll(`wx-${kind}`)).filter((m) => m.closest(groupTag) === el);
  const value = (): unknown => {
    const on = members().filter((m) => controlOf(m)?.checked?.());
    if (kind === "checkbox") return on.map((m) => controlOf(m)?.value?.() ?? "");
    return on.length ? controlOf(on[0])?.value?.() ?? "" : "";
  };
  const r = reactive(ctx, (name) => name === "name" && setFieldName(el, r.props));
  setFieldName(el, r.props);
  setControl(el, {
    memberChanged(member: Element) {
      if (kind === "radio") for (const m of members()) if (m !== member) controlOf(m)?.setChecked?.(false);
      ctx.emit("change", { value: value() });
    },
  });
  return {
    update: r.update,
    formValue: value,
    reset() {
      for (const m of members()) controlOf(m)?.setChecked?.(false);
    },
  };
}
defineWidget("checkbox-group", (ctx) => group(ctx, "checkbox"));
defineWidget("radio-group", (ctx) => group(ctx, "radio"));

// ---- switch -----------------------------------------------------------------

defineWidget("switch", (ctx) => {
  const el = ctx.el;
  const box = h("i", "wx-switch-input");
  el.insertBefore(box, el.firstChild);
  let checked = false;
  const paint = () => {
    const p = r.props;
    const type = p.str("type", "switch") === "checkbox" ? "checkbox" : "switch";
    box.className = type === "checkbox" ? "wx-checkbox-input" : "wx-switch-input";
    flag(el, "checked", checked);
    flag(box, "checked", checked);
    flag(el, "disabled", p.bool("disabled"));
    el.setAttribute("aria-checked", String(checked));
    box.style.setProperty("--wx-check-color", p.str("color", "#07c160"));
  };
  const r = reactive(ctx, (name) => {
    if (name === "checked") checked = r.props.bool("checked");
    if (name === "name") setFieldName(el, r.props);
    paint();
  });
  checked = r.props.bool("checked");
  setFieldName(el, r.props);
  el.setAttribute("role", "switch");
  paint();
  const toggle = () => {
    if (r.props.bool("disabled")) return;
    checked = !checked;
    paint();
    ctx.emit("change", { value: checked });
  };
  el.addEventListener("click", toggle);
  setControl(el, { activate: toggle });
  return {
    update: r.update,
    formValue: () => checked,
    reset() {
      checked = false;
      paint();
    },
    destroy: () => el.removeEventListener("click", toggle),
  };
});

// ---- slider -----------------------------------------------------------------

defineWidget("slider", (ctx) => {
  const el = ctx.el;
  const wrap = h("div", "wx-slider-wrapper", el);
  const area = h("div", "wx-slider-tap-area", wrap);
  const track = h("div", "wx-slider-track", area);
  const fill = h("div", "wx-slider-fill", track);
  const thumb = h("div", "wx-slider-thumb", area);
  const label = h("span", "wx-slider-value", wrap);
  let value = 0;

  const bounds = () => {
    const p = r.props;
    const min = p.num("min", 0);
    const max = Math.max(min, p.num("max", 100));
    const step = p.num("step", 1) > 0 ? p.num("step", 1) : 1;
    return { min, max, step };
  };
  const snap = (v: number) => {
    const { min, max, step } = bounds();
    const s = Math.round((clamp(v, min, max) - min) / step) * step + min;
    // Round away floating point noise of fractional steps.
    return clamp(parseFloat(s.toFixed(10)), min, max);
  };
  const paint = () => {
    const p = r.props;
    const { min, max } = bounds();
    const ratio = max === min ? 0 : (value - min) / (max - min);
    const size = clamp(p.num("blockSize", 28), 12, 28);
    fill.style.width = `${ratio * 100}%`;
    fill.style.backgroundColor = p.strOf(["activeColor", "selectedColor"], "#07c160");
    track.style.backgroundColor = p.strOf(["backgroundColor", "color"], "#e9e9e9");
    thumb.style.width = thumb.style.height = `${size}px`;
    thumb.style.marginTop = `${-size / 2}px`;
    thumb.style.marginLeft = `${-size / 2}px`;
    thumb.style.left = `${ratio * 100}%`;
    thumb.style.backgroundColor = p.str("blockColor", "#ffffff");
    label.style.display = p.bool("showValue") ? "" : "none";
    label.textContent = String(value);
    flag(el, "disabled", p.bool("disabled"));
    el.setAttribute("aria-valuenow", String(value));
  };
  const r = reactive(ctx, (name) => {
    if (name === "value" || name === "min" || name === "max" || name === "step") value = snap(r.props.num("value", bounds().min));
    if (name === "name") setFieldName(el, r.props);
    paint();
  });
  value = snap(r.props.num("value", bounds().min));
  setFieldName(el, r.props);
  el.setAttribute("role", "slider");
  paint();

  const fromPointer = (x: number) => {
    const rect = track.getBoundingClientRect();
    const { min, max } = bounds();
    return snap(min + ((x - rect.left) / (rect.width || 1)) * (max - min));
  };
  let dragging = false;
  let moved = false;
  const down = (e: PointerEvent) => {
    if (r.props.bool("disabled") || e.button > 0) return;
    dragging = true;
    moved = false;
    area.setPointerCapture?.(e.pointerId);
    value = fromPointer(e.clientX);
    paint();
  };
  const move = (e: PointerEvent) => {
    if (!dragging) return;
    const v = fromPointer(e.clientX);
    moved = true;
    if (v !== value) {
      value = v;
      paint();
      ctx.emit("changing", { value });
    }
  };
  const up = (e: PointerEvent) => {
    if (!dragging) return;
    dragging = false;
    if (moved) value = fromPointer(e.clientX);
    paint();
    ctx.emit("change", { value });
  };
  area.addEventListener("pointerdown", down);
  area.addEventListener("pointermove", move);
  area.addEventListener("pointerup", up);
  area.addEventListener("pointercancel", () => (dragging = false));
  return {
    update: r.update,
    slot: h("span", "wx-hidden-slot", el),
    formValue: () => value,
    reset() {
      value = bounds().min;
      paint();
    },
  };
});

// ---- form -------------------------------------------------------------------

defineWidget("form", (ctx) => {
  const el = ctx.el;
  const r = reactive(ctx, () => {});
  const fields = () => Array.from(el.querySelectorAll("*")).filter((f) => fieldName(f) !== undefined && widgetOf(f));
  setControl(el, {
    submit() {
      const value: Record<string, unknown> = {};
      for (const f of fields()) {
        const w = widgetOf(f);
        if (w?.formValue) value[fieldName(f) as string] = w.formValue();
      }
      ctx.emit("submit", { value, formId: "" });
    },
    resetAll() {
      for (const f of fields()) widgetOf(f)?.reset?.();
      ctx.emit("reset", {});
    },
  });
  return { update: r.update };
});

// ---- navigator -----------------------------------------------------------------

defineWidget("navigator", (ctx) => {
  const r = reactive(ctx, () => {});
  const stop = hover(ctx.el, r.props, { className: "navigator-hover", startTime: 50, stayTime: 600 });
  const onClick = () => {
    const p: Props = r.props;
    const extra = p.raw("extraData");
    ctx.emit("navigate", {
      openType: p.str("openType", "navigate"),
      url: p.str("url"),
      delta: p.num("delta", 1),
      appId: p.str("appId"),
      path: p.str("path"),
      extraData: extra && typeof extra === "object" ? extra : {},
      envVersion: p.str("version", "release"),
      target: p.str("target", "self"),
    });
  };
  ctx.el.addEventListener("click", onClick);
  return {
    update: r.update,
    destroy() {
      stop();
      ctx.el.removeEventListener("click", onClick);
    },
  };
});

