// A mini program's storage (wx.setStorageSync & co.) in IndexedDB, one
// namespace per (user, appid). The frame keeps the live copy: it gets a
// snapshot at launch and writes behind through storage.set/remove/clear.
//
// The limits are enforced here, not only in the frame (whose worker could
// post storage.set itself): 1 MB per item, 10 MB per app, keys up to 1 KB,
// values strings or JSON data (a top-level Date is kept, as WeChat does) —
// never Blobs, files or other objects. Sizes are UTF-8 bytes of the key and
// of the value's JSON text, as the frame counts them; the app's total is a
// record kept in the same transaction as every write.
const DB = 'superapp-miniprogram';
const STORE = 'storage';

/** WeChat's limits: an item (key and value), every item of an app, a key. */
export const MAX_ITEM_BYTES = 1024 * 1024;
export const MAX_TOTAL_BYTES = 10 * 1024 * 1024;
export const MAX_KEY_BYTES = 1024;

let opening: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      // One row per item: [user, appid, key] → value; and one per app:
      // [user, appid] → {bytes} (shorter arrays sort first: outside the items' range).
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    opening.catch(() => (opening = null));
  }
  return opening;
}

/** Opens the database ahead of a launch (the first open takes a while). */
export function open(): Promise<IDBDatabase> {
  return db();
}

/** Every item key of the (user, appid) namespace: [user, appid, <any string>]. */
function range(user: string, appid: string): IDBKeyRange {
  // Arrays sort after strings, so [user, appid, []] is above every item key.
  return IDBKeyRange.bound([user, appid, ''], [user, appid, []]);
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('storage transaction aborted'));
  });
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isDate(v: unknown): v is Date {
  return Object.prototype.toString.call(v) === '[object Date]';
}

/** Whether v is JSON data: strings, finite numbers, booleans, null, arrays and plain objects of those. */
function isJSONData(v: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every((x) => isJSONData(x, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as Record<string, unknown>).every((x) => isJSONData(x, depth + 1));
}

/** The bytes an item counts for, or an errMsg when the shell refuses it. */
export function itemSize(key: string, value: unknown): number {
  if (utf8Bytes(key) > MAX_KEY_BYTES) throw new Error('setStorage:fail parameter error: the key is longer than 1 KB');
  if (!isDate(value) && !isJSONData(value)) throw new Error('setStorage:fail parameter error: data must be a string or JSON data');
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    throw new Error('setStorage:fail parameter error: data must be a string or JSON data');
  }
  return utf8Bytes(key) + utf8Bytes(text);
}

/** The namespace's items, for the frame's boot: [key, value] entries (an object would lose a "__proto__" key). */
export async function snapshot(user: string, appid: string): Promise<Array<[string, unknown]>> {
  const tx = (await db()).transaction(STORE, 'readonly');
  const out: Array<[string, unknown]> = [];
  await new Promise<void>((resolve, reject) => {
    const req = tx.objectStore(STORE).openCursor(range(user, appid));
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return resolve();
      out.push([(c.key as string[])[2], c.value]);
      c.continue();
    };
    req.onerror = () => reject(req.error);
  });
  return out;
}

/** The app's total in bytes from its record, or (first write since this record exists) counted from its items. */
async function totalOf(store: IDBObjectStore, user: string, appid: string): Promise<number> {
  const rec = (await request(store.get([user, appid]))) as { bytes?: unknown } | undefined;
  if (rec && typeof rec.bytes === 'number') return rec.bytes;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const req = store.openCursor(range(user, appid));
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return resolve();
      try {
        bytes += itemSize((c.key as string[])[2], c.value);
      } catch {
        // An item written before the rules: counted by its key alone.
        bytes += utf8Bytes((c.key as string[])[2]);
      }
      c.continue();
    };
    req.onerror = () => reject(req.error);
  });
  return bytes;
}

function sizeOrZero(key: string, value: unknown): number {
  try {
    return itemSize(key, value);
  } catch {
    return utf8Bytes(key);
  }
}

export async function setItem(user: string, appid: string, key: string, value: unknown): Promise<void> {
  const size = itemSize(key, value);
  if (size > MAX_ITEM_BYTES) throw new Error('setStorage:fail exceed storage item max length');
  const tx = (await db()).transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  const finished = done(tx);
  finished.catch(() => undefined);
  try {
    const total = await totalOf(store, user, appid);
    const old = await request(store.get([user, appid, key]));
    const oldSize = old === undefined ? 0 : sizeOrZero(key, old);
    const next = total - oldSize + size;
    if (next > MAX_TOTAL_BYTES) throw new Error('setStorage:fail exceed storage max size 10Mb');
    store.put(value, [user, appid, key]);
    store.put({ bytes: next }, [user, appid]);
  } catch (e) {
    tx.abort();
    throw e;
  }
  return finished;
}

export async function removeItem(user: string, appid: string, key: string): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  const finished = done(tx);
  finished.catch(() => undefined);
  const total = await totalOf(store, user, appid);
  const old = await request(store.get([user, appid, key]));
  store.delete([user, appid, key]);
  store.put({ bytes: Math.max(0, total - (old === undefined ? 0 : sizeOrZero(key, old))) }, [user, appid]);
  return finished;
}

export async function clear(user: string, appid: string): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  store.delete(range(user, appid));
  store.put({ bytes: 0 }, [user, appid]);
  return done(tx);
}
