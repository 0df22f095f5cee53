// The worker's side of the logic ↔ view channel: posting messages, calls
// the view answers (or relays to the shell), acks of op batches.

import type { LogicToView, MsgResult, Op } from '../protocol';

let poster: (msg: LogicToView) => void = () => {};
export function setPoster(p: typeof poster): void {
  poster = p;
}

export function post(msg: LogicToView): void {
  poster(msg);
}

let nextCall = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/**
 * Calls a view-side API (or, through the view, a shell one). Rejects with
 * the error text the answering side gave.
 */
export function callView(name: string, ...args: unknown[]): Promise<unknown> {
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    post({ t: 'call', id, name, args });
  });
}

export function onResult(msg: MsgResult): void {
  const p = pending.get(msg.id);
  if (!p) return;
  pending.delete(msg.id);
  if (msg.ok) p.resolve(msg.value);
  else p.reject(new Error(msg.error || 'failed'));
}

let nextAck = 1;
const acks = new Map<number, Array<() => void>>();

export function postOps(page: number, ops: Op[], callbacks: Array<() => void>): void {
  if (callbacks.length) {
    const ack = nextAck++;
    acks.set(ack, callbacks);
    post({ t: 'ops', page, ops, ack });
  } else {
    post({ t: 'ops', page, ops });
  }
}

export function onAcked(ack: number): void {
  const cbs = acks.get(ack);
  if (!cbs) return;
  acks.delete(ack);
  for (const cb of cbs) cb();
}
