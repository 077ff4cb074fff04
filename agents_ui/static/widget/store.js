// @ts-check
/*
 * What the widget keeps in the visitor's browser: their visitor token, and the outbox of
 * messages not yet acked (so a reload or a lost connection never loses one).
 */

export const TOKEN_KEY = 'contacthub.visitor_token';
const OUTBOX_KEY = 'contacthub.outbox';

/** @typedef {{ client_id: string, text: string, created_at?: string }} OutboxItem */
/** @typedef {{ get(key: string): string | null, set(key: string, value: string): void }} Store */

/**
 * localStorage, degrading to memory where it throws (privacy modes, sandboxed iframes).
 * @returns {Store}
 */
export function createStore() {
  /** @type {Record<string, string>} */
  const memory = {};
  return {
    get(key) {
      try { return window.localStorage.getItem(key); } catch { return memory[key] || null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch { memory[key] = value; }
    },
  };
}

// The outbox is always read from storage and updated read-modify-write, so two tabs of the
// same site never overwrite each other's unsent messages.

/**
 * @param {Store} store
 * @returns {OutboxItem[]}
 */
export function outboxItems(store) {
  try {
    const list = JSON.parse(store.get(OUTBOX_KEY) || '[]');
    return Array.isArray(list)
      ? list.filter((m) => m && typeof m.client_id === 'string' && typeof m.text === 'string')
      : [];
  } catch {
    return [];
  }
}

/**
 * @param {Store} store
 * @param {OutboxItem} item
 */
export function outboxAdd(store, item) {
  const list = outboxItems(store);
  list.push(item);
  store.set(OUTBOX_KEY, JSON.stringify(list));
}

/**
 * @param {Store} store
 * @param {string} clientId
 */
export function outboxRemove(store, clientId) {
  const list = outboxItems(store);
  const next = list.filter((m) => m.client_id !== clientId);
  if (next.length !== list.length) store.set(OUTBOX_KEY, JSON.stringify(next));
}
