// Images and media: chooseImage, chooseMedia, previewImage, getImageInfo,
// saveImageToPhotosAlbum, compressImage.
//
// Temp files are blob: URLs the view made from the files the user picked:
// <image src> shows them and uploadFile sends their bytes (the view holds
// them). View calls (answered by src/view/api/media.ts):
//   media.choose     [{accept: "image"|"video"|"mix", count, camera: boolean}]
//                    → {files: [{path, size, type, fileType: "image"|"video", width, height, duration}]};
//                    fails "cancel" when the user closes the picker
//   media.preview    [{urls: [resolved URL…], current: index}] → {} (full-screen overlay)
//   media.imageInfo  [{src, base}] → {width, height, type, path}
//   media.save       [{filePath, base}] → relays to the shell as
//                    saveImageToPhotosAlbum [{name, url?: string, data?: ArrayBuffer}] → {}

import { ApiError, callView, defineAsync } from '../api';
import { currentPage } from '../runtime';
import { need } from './common';

const tempSizes = new Map<string, number>();

/** The size of a temp file chosen in this run (0 when unknown). */
export function tempFileSize(path: string): number {
  return tempSizes.get(path) || 0;
}

interface Picked {
  path: string;
  size: number;
  type: string;
  fileType: 'image' | 'video';
  width?: number;
  height?: number;
  duration?: number;
}

async function choose(accept: string, count: unknown, sourceType: unknown): Promise<Picked[]> {
  const n = count === undefined ? 9 : Number(count);
  if (!(n >= 1)) throw new ApiError('parameter error: parameter.count should be a positive Number;');
  const sources = Array.isArray(sourceType) ? sourceType.map(String) : ['album', 'camera'];
  const camera = sources.length === 1 && sources[0] === 'camera';
  const r = (await callView('media.choose', { accept, count: Math.min(n, 20), camera })) as { files: Picked[] };
  const files = (r.files || []).slice(0, n);
  for (const f of files) tempSizes.set(f.path, f.size);
  return files;
}

defineAsync('chooseImage', async (o) => {
  const files = await choose('image', o.count, o.sourceType);
  return { tempFilePaths: files.map((f) => f.path), tempFiles: files.map((f) => ({ path: f.path, size: f.size })) };
});

defineAsync('chooseMedia', async (o) => {
  const types = Array.isArray(o.mediaType) ? o.mediaType.map(String) : ['image', 'video'];
  const accept = types.includes('image') && types.includes('video') ? 'mix' : types.includes('video') ? 'video' : 'image';
  const files = await choose(accept, o.count, o.sourceType);
  const kinds = new Set(files.map((f) => f.fileType));
  return {
    type: kinds.size > 1 ? 'mix' : files[0]?.fileType || accept,
    tempFiles: files.map((f) => ({
      tempFilePath: f.path, size: f.size, fileType: f.fileType, width: f.width || 0, height: f.height || 0,
      duration: f.duration || 0, thumbTempFilePath: f.fileType === 'image' ? f.path : '',
    })),
  };
});

defineAsync('chooseVideo', async (o) => {
  const [f] = await choose('video', 1, o.sourceType);
  return { tempFilePath: f.path, size: f.size, duration: f.duration || 0, width: f.width || 0, height: f.height || 0, thumbTempFilePath: '' };
});

/** Package paths relative to the current page, like <image src>. */
function base(): string {
  return currentPage()?.route || '';
}

defineAsync('previewImage', async (o) => {
  need(o, 'urls', 'Array');
  const urls = (o.urls as unknown[]).map(String);
  if (!urls.length) throw new ApiError('parameter error: parameter.urls should not be empty;');
  let current = 0;
  if (typeof o.current === 'number') current = o.current;
  else if (typeof o.current === 'string') current = Math.max(0, urls.indexOf(o.current));
  current = Math.min(Math.max(0, current), urls.length - 1);
  await callView('media.preview', { urls, current, base: base() });
});

defineAsync('previewMedia', async (o) => {
  need(o, 'sources', 'Array');
  const urls = (o.sources as Array<{ url?: unknown }>).map((s) => String(s && s.url));
  if (!urls.length) throw new ApiError('parameter error: parameter.sources should not be empty;');
  await callView('media.preview', { urls, current: Math.min(Math.max(0, Number(o.current) || 0), urls.length - 1), base: base() });
});

defineAsync('getImageInfo', async (o) => {
  need(o, 'src', 'String');
  const r = (await callView('media.imageInfo', { src: o.src, base: base() })) as Record<string, unknown>;
  return { width: r.width, height: r.height, path: o.src, orientation: 'up', type: r.type };
});

defineAsync('saveImageToPhotosAlbum', async (o) => {
  need(o, 'filePath', 'String');
  await callView('media.save', { filePath: o.filePath, base: base() });
});

defineAsync('compressImage', (o) => {
  need(o, 'src', 'String');
  // The browser cannot re-encode without a canvas read-back of the picked file; hand the original back.
  return { tempFilePath: o.src };
});
