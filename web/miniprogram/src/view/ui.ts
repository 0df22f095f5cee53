// The interaction APIs the view draws: toast, loading, modal, action sheet.
// One toast/loading at a time (showLoading replaces a toast and vice versa,
// as in WeChat).

function el(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

let toast: { box: HTMLElement; mask: HTMLElement | null; timer: number; loading: boolean } | null = null;

function clearToast(): void {
  if (!toast) return;
  clearTimeout(toast.timer);
  toast.box.remove();
  toast.mask?.remove();
  toast = null;
}

const ICONS: Record<string, string> = {
  success: 'M6 20 l9 9 l19 -19',
  error: 'M20 8 v16 M20 30 v3',
};

function icon(name: string): SVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 40 40');
  svg.setAttribute('class', 'mp-icon');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', ICONS[name]);
  p.setAttribute('stroke', '#fff');
  p.setAttribute('stroke-width', '3');
  p.setAttribute('fill', 'none');
  svg.appendChild(p);
  return svg;
}

export function showToast(root: HTMLElement, o: { title: string; icon: string; image?: string; duration: number; mask: boolean }, resolveURL: (s: string) => string): void {
  clearToast();
  const box = el('div', 'mp-toast');
  box.setAttribute('role', 'alert');
  if (o.image) {
    const img = document.createElement('img');
    img.className = 'mp-icon';
    img.src = resolveURL(o.image);
    box.appendChild(img);
  } else if (o.icon === 'loading') {
    box.appendChild(el('div', 'mp-loading'));
  } else if (Object.prototype.hasOwnProperty.call(ICONS, o.icon)) {
    box.appendChild(icon(o.icon));
  } else {
    box.classList.add('mp-text-only');
  }
  box.appendChild(el('div', 'mp-toast-title', o.title));
  const mask = o.mask ? el('div', 'mp-mask') : null;
  if (mask) root.appendChild(mask);
  root.appendChild(box);
  const timer = window.setTimeout(clearToast, Math.max(0, Number(o.duration) || 1500));
  toast = { box, mask, timer, loading: false };
}

export function hideToast(): void {
  if (toast && !toast.loading) clearToast();
}

export function showLoading(root: HTMLElement, o: { title: string; mask: boolean }): void {
  clearToast();
  const box = el('div', 'mp-toast');
  box.setAttribute('role', 'alert');
  box.appendChild(el('div', 'mp-loading'));
  box.appendChild(el('div', 'mp-toast-title', o.title));
  const mask = o.mask ? el('div', 'mp-mask') : null;
  if (mask) root.appendChild(mask);
  root.appendChild(box);
  toast = { box, mask, timer: 0, loading: true };
}

export function hideLoading(): void {
  if (toast && toast.loading) clearToast();
}

export function showModal(
  root: HTMLElement,
  o: { title: string; content: string; showCancel: boolean; cancelText: string; cancelColor: string; confirmText: string; confirmColor: string; editable: boolean; placeholderText: string },
): Promise<{ confirm: boolean; content?: string }> {
  return new Promise((resolve) => {
    const mask = el('div', 'mp-mask mp-dim');
    const box = el('div', 'mp-modal');
    box.setAttribute('role', 'dialog');
    if (o.title) box.appendChild(el('div', 'mp-mt', o.title));
    let input: HTMLInputElement | null = null;
    if (o.editable) {
      const c = el('div', 'mp-mc');
      input = document.createElement('input');
      input.value = o.content;
      input.placeholder = o.placeholderText;
      c.appendChild(input);
      box.appendChild(c);
    } else if (o.content) {
      box.appendChild(el('div', o.title ? 'mp-mc' : 'mp-mc mp-only', o.content));
    }
    const foot = el('div', 'mp-mf');
    const done = (confirm: boolean) => {
      mask.remove();
      box.remove();
      resolve(input ? { confirm, content: input.value } : { confirm });
    };
    if (o.showCancel) {
      const b = el('button', 'mp-cancel-btn', o.cancelText) as HTMLButtonElement;
      b.style.color = o.cancelColor;
      b.onclick = () => done(false);
      foot.appendChild(b);
    }
    const ok = el('button', 'mp-confirm-btn', o.confirmText) as HTMLButtonElement;
    ok.style.color = o.confirmColor;
    ok.onclick = () => done(true);
    foot.appendChild(ok);
    box.appendChild(foot);
    root.appendChild(mask);
    root.appendChild(box);
  });
}

export function showActionSheet(root: HTMLElement, o: { itemList: string[]; itemColor: string; alertText?: string }): Promise<{ tapIndex: number }> {
  return new Promise((resolve) => {
    const mask = el('div', 'mp-mask mp-dim');
    const sheet = el('div', 'mp-sheet');
    const done = (i: number) => {
      mask.remove();
      sheet.remove();
      resolve({ tapIndex: i });
    };
    if (o.alertText) sheet.appendChild(el('div', 'mp-alert', o.alertText));
    o.itemList.forEach((t, i) => {
      const b = el('button', 'mp-item', t) as HTMLButtonElement;
      b.style.color = o.itemColor;
      b.onclick = () => done(i);
      sheet.appendChild(b);
    });
    const c = el('button', 'mp-cancel', '取消') as HTMLButtonElement;
    c.onclick = () => done(-1);
    sheet.appendChild(c);
    mask.onclick = () => done(-1);
    root.appendChild(mask);
    root.appendChild(sheet);
  });
}
