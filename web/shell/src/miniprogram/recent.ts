// The mini programs a user opened lately and the ones they starred. Kept in
// this browser's localStorage per user: enough for one device; a server
// table would follow the user across devices (not yet).
import type { MiniProgramSummary } from './api';

export interface RecentEntry extends MiniProgramSummary {
  at: number;
}

const MAX_RECENT = 20;
const listeners = new Set<() => void>();

const key = (user: string, list: 'recent' | 'starred') => `superapp.mp.${list}.${user}`;

function read(user: string, list: 'recent' | 'starred'): RecentEntry[] {
  try {
    const v = JSON.parse(localStorage.getItem(key(user, list)) ?? '[]');
    return Array.isArray(v) ? v.filter((e) => e && typeof e.appid === 'string' && typeof e.name === 'string') : [];
  } catch {
    return [];
  }
}

function write(user: string, list: 'recent' | 'starred', entries: RecentEntry[]): void {
  try {
    localStorage.setItem(key(user, list), JSON.stringify(entries));
  } catch {
    // Storage full or disabled: the lists are a convenience.
  }
  listeners.forEach((l) => l());
}

export function recent(user: string): RecentEntry[] {
  return read(user, 'recent');
}

export function starred(user: string): RecentEntry[] {
  return read(user, 'starred');
}

/** Puts the mini program first in the user's recently used list. */
export function touch(user: string, mp: MiniProgramSummary): void {
  const list = read(user, 'recent').filter((e) => e.appid !== mp.appid);
  list.unshift({ appid: mp.appid, name: mp.name, at: Date.now() });
  write(user, 'recent', list.slice(0, MAX_RECENT));
}

export function isStarred(user: string, appid: string): boolean {
  return read(user, 'starred').some((e) => e.appid === appid);
}

export function setStarred(user: string, mp: MiniProgramSummary, on: boolean): void {
  const list = read(user, 'starred').filter((e) => e.appid !== mp.appid);
  if (on) list.unshift({ appid: mp.appid, name: mp.name, at: Date.now() });
  write(user, 'starred', list);
}

export function removeRecent(user: string, appid: string): void {
  write(user, 'recent', read(user, 'recent').filter((e) => e.appid !== appid));
}

/** Calls f whenever a list changes in this tab. */
export function onListsChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}
