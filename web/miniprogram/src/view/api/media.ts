// Pickers and images: the file picker behind chooseImage/chooseMedia, the
// bytes of picked files for uploadFile, the full-screen image preview,
// getImageInfo and saving an image (through the shell: a sandboxed frame
// may not download).
//
// An <input type=file> works inside <iframe sandbox="allow-scripts">; its
// click() needs the user's activation, which the tap that led to
// wx.chooseImage still gives (the worker round trip takes milliseconds).

import type { ViewApiHost, ViewCall } from './host';

/** Picked files by their temp path (a blob: URL of this document). */
const picked = new Map<string, File>();

/** Makes a file picked elsewhere in the view (button open-type="chooseAvatar") a temp file uploadFile can send. */
export function registerTempFile(path: string, file: File): void {
  picked.set(path, file);
}

function style(): void {
  if (document.getElementById('mp-api-style')) return;
  const s = document.createElement('style');
  s.id = 'mp-api-style';
  s.textContent = `
.mp-preview { position: fixed; inset: 0; z-index: 2000; background: #000; touch-action: none; user-select: none; }
.mp-preview img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; transition: transform .25s; }
.mp-preview .mp-preview-index { position: absolute; left: 0; right: 0; bottom: 24px; text-align: center; color: #fff; font: 14px/1 -apple-system, sans-serif; }
`;
  document.head.appendChild(s);
}

function kindOf(f: File): 'image' | 'video' {
  return f.type.startsWith('video/') ? 'video' : 'image';
}

async function describe(f: File, path: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { path, size: f.size, type: f.type, fileType: kindOf(f) };
  try {
    if (kindOf(f) === 'image') {
      const bmp = await createImageBitmap(f);
      out.width = bmp.width;
      out.height = bmp.height;
      bmp.close();
    } else {
      const v = document.createElement('video');
      v.preload = 'metadata';
      v.src = path;
      await new Promise<void>((resolve) => {
        v.onloadedmetadata = () => resolve();
        v.onerror = () => resolve();
      });
      Object.assign(out, { width: v.videoWidth, height: v.videoHeight, duration: Number.isFinite(v.duration) ? v.duration : 0 });
    }
  } catch {
    // Size and path are enough for an undecodable file.
  }
  return out;
}

function choose(args: unknown[]): Promise<unknown> {
  const o = (args[0] || {}) as { accept?: string; count?: number; camera?: boolean };
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = o.accept === 'video' ? 'video/*' : o.accept === 'mix' ? 'image/*,video/*' : 'image/*';
  input.multiple = (o.count || 1) > 1;
  if (o.camera) input.setAttribute('capture', 'environment');
  input.style.display = 'none';
  document.body.appendChild(input);
  return new Promise((resolve, reject) => {
    const done = () => input.remove();
    input.addEventListener('change', async () => {
      const files = [...(input.files || [])].slice(0, o.count || 1);
      done();
      if (!files.length) return reject(new Error('cancel'));
      const out = [];
      for (const f of files) {
        const path = URL.createObjectURL(f);
        picked.set(path, f);
        out.push(await describe(f, path));
      }
      resolve({ files: out });
    });
    input.addEventListener('cancel', () => {
      done();
      reject(new Error('cancel'));
    });
    input.click();
  });
}

async function upload(args: unknown[], host: ViewApiHost): Promise<unknown> {
  const o = { ...((args[0] || {}) as Record<string, unknown>) };
  const f = typeof o.filePath === 'string' ? picked.get(o.filePath) : undefined;
  if (f) {
    o.fileData = await f.arrayBuffer();
    // The shell names the part after the path's last segment: give it the file's own name.
    o.filePath = f.name || 'file';
  }
  return host.relay('uploadFile', [o]);
}

function preview(args: unknown[], host: ViewApiHost): null {
  style();
  const o = args[0] as { urls: string[]; current: number; base: string };
  const urls = o.urls.map((u) => host.resolveURL(u, o.base));
  let i = o.current;
  const box = document.createElement('div');
  box.className = 'mp-preview';
  box.setAttribute('role', 'dialog');
  const img = document.createElement('img');
  img.alt = '';
  const index = document.createElement('div');
  index.className = 'mp-preview-index';
  box.append(img, index);
  const show = () => {
    img.style.transform = '';
    img.src = urls[i];
    index.textContent = urls.length > 1 ? `${i + 1}/${urls.length}` : '';
  };
  let startX = -1;
  box.addEventListener('pointerdown', (e) => {
    startX = e.clientX;
    box.setPointerCapture?.(e.pointerId);
  });
  box.addEventListener('pointermove', (e) => {
    if (startX >= 0) img.style.transform = `translateX(${e.clientX - startX}px)`;
  });
  box.addEventListener('pointerup', (e) => {
    const dx = e.clientX - startX;
    startX = -1;
    if (Math.abs(dx) < 10) {
      box.remove();
      return;
    }
    if (dx < -50 && i < urls.length - 1) i++;
    else if (dx > 50 && i > 0) i--;
    show();
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') box.remove();
    if (e.key === 'ArrowRight' && i < urls.length - 1) (i++, show());
    if (e.key === 'ArrowLeft' && i > 0) (i--, show());
  });
  box.tabIndex = -1;
  show();
  document.body.appendChild(box);
  box.focus();
  return null;
}

const TYPES: Record<string, string> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', bmp: 'bmp', svg: 'svg' };

function imageInfo(args: unknown[], host: ViewApiHost): Promise<unknown> {
  const o = args[0] as { src: string; base: string };
  const url = host.resolveURL(o.src, o.base);
  const file = picked.get(o.src);
  const ext = (file ? file.type.split('/')[1] : o.src.split('?')[0].split('.').pop() || '').toLowerCase();
  const dataType = /^data:image\/([a-z+]+)/.exec(o.src)?.[1];
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight, type: TYPES[ext] || dataType || 'unknown' });
    img.onerror = () => reject(new Error('image not found or not decodable'));
    img.src = url;
  });
}

async function save(args: unknown[], host: ViewApiHost): Promise<unknown> {
  const o = args[0] as { filePath: string; base: string };
  const f = picked.get(o.filePath);
  if (f) return host.relay('saveImageToPhotosAlbum', [{ name: f.name || 'image', data: await f.arrayBuffer() }]);
  const url = new URL(host.resolveURL(o.filePath, o.base), location.href).href;
  const name = o.filePath.startsWith('data:') ? 'image' : o.filePath.split('?')[0].split('/').pop() || 'image';
  return host.relay('saveImageToPhotosAlbum', [{ name, url }]);
}

export const mediaCalls: Record<string, ViewCall> = {
  'media.choose': choose,
  'media.preview': preview,
  'media.imageInfo': imageInfo,
  'media.save': save,
  uploadFile: upload,
};
