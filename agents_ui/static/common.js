// @ts-check
/*
 * ContactHub: helpers shared by the agent console, the supervisor view and the chat widget.
 *
 * A native ES module: the console and supervisor pages import it directly, and the widget
 * bundle (agents_ui/web/build.mjs) compiles it in. Nothing here inserts markup: every piece
 * of text goes through textContent, so customer-provided strings can never become HTML.
 */

// ---------------------------------------------------------------- auth token

// The login answer carries a bearer token. The server also sets an HttpOnly cookie, so after
// a page reload we simply have no token and rely on the cookie (same origin) for both REST
// and websocket. One page signs in one agent: the token is the page's, held here in memory
// only, and sent as a header, never in a URL (sockets get a single-use ticket instead).
/** @type {string | null} */
let token = null;

/** @param {string | null | undefined} t */
export function setToken(t) {
  token = t || null;
}

export function getToken() {
  return token;
}

// ---------------------------------------------------------------- REST

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ message?: string } | null} body
   */
  constructor(status, body) {
    super((body && body.message) || 'HTTP ' + status);
    this.status = status;
    this.body = body;
  }
}

/**
 * Call the hub's JSON API. The answer's shape is the caller's to name (docs/protocol.md).
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  /** @type {RequestInit} */
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---------------------------------------------------------------- ids

/**
 * A random UUID (v4). crypto.randomUUID only exists in secure contexts (https or
 * localhost); a hub reached as http://10.0.0.5:8080 would not have it.
 */
export function uuid() {
  const c = window.crypto;
  if (c && typeof c.randomUUID === 'function') {
    try { return c.randomUUID(); } catch { /* insecure context: fall through */ }
  }
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' +
    h.slice(16, 20) + '-' + h.slice(20);
}

// ---------------------------------------------------------------- DOM

/** @typedef {{ [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void }} Listeners */

/**
 * @typedef {object} ElOptions
 * @property {string} [class]
 * @property {string} [testid] becomes data-testid
 * @property {string | number | null} [text] set as textContent, never parsed
 * @property {string} [title]
 * @property {Record<string, string | number | boolean | null | undefined>} [attrs] null,
 *   undefined and false leave the attribute out; true sets it empty
 * @property {Listeners} [on]
 */

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Build an element. Children may be nodes, strings (become text nodes) or null (skipped).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElOptions | null} [opts]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, opts, ...children) {
  const node = document.createElement(tag);
  const o = opts || {};
  if (o.class) node.className = o.class;
  if (o.testid) node.setAttribute('data-testid', o.testid);
  if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
  if (o.title) node.title = o.title;
  if (o.attrs) {
    for (const [k, v] of Object.entries(o.attrs)) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (o.on) {
    for (const [ev, fn] of Object.entries(o.on)) node.addEventListener(ev, /** @type {EventListener} */ (fn));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/**
 * The element with this id, checked to be a `type` (HTMLElement unless told).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T, name: string }} [type]
 * @returns {T}
 */
export function $(id, type) {
  const node = document.getElementById(id);
  const want = type || HTMLElement;
  if (!(node instanceof want)) throw new Error('#' + id + ' is missing or not a ' + want.name);
  return /** @type {T} */ (node);
}

/** @param {Node} node */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// ---------------------------------------------------------------- formatting

/** @param {string | null | undefined} iso */
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (sameDay) return time;
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
}

/**
 * Seconds → "mm:ss" (minutes keep growing past 59 rather than wrapping).
 * @param {unknown} seconds
 */
export function fmtMmSs(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const m = Math.floor(s / 60);
  return String(m).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
}

/**
 * Milliseconds since the epoch, for sorting; an unknown time sorts last.
 * @param {string | null | undefined} iso
 */
export function timeValue(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  return isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

// ---------------------------------------------------------------- toasts

const TOAST_LIMIT = 5;
const TOAST_MS = 20000;

/**
 * Non-blocking notice in #toasts; errors stay longer and every toast can be dismissed.
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function toast(text, kind) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const node = el('div', {
    class: 'toast toast-' + (kind || 'info'), testid: 'toast', attrs: { role: 'status' },
  });
  const close = () => { if (node.parentNode) node.parentNode.removeChild(node); };
  node.appendChild(el('span', { class: 'toast-text', text }));
  node.appendChild(el('button', {
    class: 'toast-close', testid: 'toast-dismiss', text: '×', title: 'Dismiss',
    attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: close },
  }));
  box.appendChild(node);
  // An agent works for hours: never let notices pile up without bound.
  while (box.children.length > TOAST_LIMIT && box.firstChild) box.removeChild(box.firstChild);
  setTimeout(close, kind === 'error' ? TOAST_MS * 2 : TOAST_MS);
}

/** @param {{ code?: string, message?: string }} frame an `error` frame */
export function toastError(frame) {
  toast((frame.code || 'error') + ': ' + (frame.message || 'unknown error'), 'error');
}

// ---------------------------------------------------------------- websocket

/**
 * The URL of one of the hub's sockets on this page's origin. It never carries the token:
 * without one the socket rides on the session cookie (checked against our Origin).
 * @param {string} path
 */
export function wsUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return proto + '//' + location.host + path;
}

/**
 * The URL to open one of the hub's sockets as this page's agent: with a page token, a
 * single-use ticket (valid seconds) from POST /api/v1/auth/ticket, so another tab signed in as
 * someone else (whose cookie this browser now holds) does not change who this page is.
 * A refused ticket (the session ended) rejects with `closeCode` 4401, as a socket would close;
 * any other failure rejects plainly, and the socket retries.
 * @param {string} path
 * @returns {Promise<string>}
 */
export async function socketUrl(path) {
  const url = wsUrl(path);
  if (!token) return url;
  try {
    const answer = /** @type {{ ticket: string }} */ (await api('POST', '/api/v1/auth/ticket'));
    return url + '?ticket=' + encodeURIComponent(answer.ticket);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      throw Object.assign(new Error('session ended'), { closeCode: 4401 });
    }
    throw e;
  }
}

export { ReconnectingSocket, setConnIndicator } from './reconnecting-socket.js';
