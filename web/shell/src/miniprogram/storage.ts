// A mini program's storage (wx.setStorageSync & co.) in IndexedDB, one
// namespace per (user, appid). The frame keeps the live copy: it gets a
// snapshot at launch and writes behind through storage.set/remove/clear.
const DB = 'superapp-miniprogram';
const STORE = 'storage';

let opening: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      // One row per item: [user, appid, key] → value.
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

/** Every key of the (user, appid) namespace: [user, appid, <any string>]. */
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

/** The namespace's items, for the frame's boot. */
export async function snapshot(user: string, appid: string): Promise<Record<string, unknown>> {
  const tx = (await db()).transaction(STORE, 'readonly');
  const out: Record<string, unknown> = {};
  await new Promise<void>((resolve, reject) => {
    const req = tx.objectStore(STORE).openCursor(range(user, appid));
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return resolve();
      out[(c.key as string[])[2]] = c.value;
      c.continue();
    };
    req.onerror = () => reject(req.error);
  });
  return out;
}

export async function setItem(user: string, appid: string, key: string, value: unknown): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(value, [user, appid, key]);
  return done(tx);
}

export async function removeItem(user: string, appid: string, key: string): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  tx.objectStore(STORE).delete([user, appid, key]);
  return done(tx);
}

export async function clear(user: string, appid: string): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  tx.objectStore(STORE).delete(range(user, appid));
  return done(tx);
}
