// @ts-check
/*
 * A websocket that reconnects with exponential backoff and jitter, pings, and treats a
 * silent connection as dead. Shared by the console, the supervisor view and the chat widget
 * (re-exported by common.js); each passes its own URL and timings.
 */

/** @typedef {'connecting' | 'reconnecting'} SocketState */

/**
 * @typedef {object} SocketHandlers
 * @property {(frame: { type: string }) => void} onFrame every JSON object frame with a string `type`
 * @property {() => void} [onOpen]
 * @property {(code: number) => void} [onClose]
 * @property {(state: SocketState, delayMs?: number, attempt?: number) => void} [onState]
 * @property {(code: number, reason?: string) => void} [onFatal] after a close code in fatalCodes
 */

/**
 * @typedef {object} SocketOptions
 * @property {number[]} [fatalCodes] close codes after which we must not retry (auth problems)
 * @property {number} [backoffMinMs]
 * @property {number} [backoffMaxMs]
 * @property {number} [pingEveryMs]
 * @property {number} [silenceLimitMs] a half-open TCP connection never fires `close`: if the
 *   server (which answers every ping) has been silent this long, the socket is taken for dead
 */

const DEFAULTS = {
  backoffMinMs: 500,
  backoffMaxMs: 10000,
  pingEveryMs: 20000,
  silenceLimitMs: 50000,
};

/** @param {WebSocket} ws */
function detach(ws) {
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
}

export class ReconnectingSocket {
  /**
   * @param {() => string | Promise<string>} url asked at every connect (a ticket is good
   *   once). A promise that rejects with a numeric `closeCode` counts as a close with that
   *   code (fatal if listed); any other rejection as a failed connect, retried.
   * @param {SocketHandlers} handlers
   * @param {SocketOptions} [options]
   */
  constructor(url, handlers, options) {
    const o = options || {};
    this.url = url;
    this.h = handlers;
    this.fatalCodes = o.fatalCodes || [];
    this.backoffMinMs = o.backoffMinMs ?? DEFAULTS.backoffMinMs;
    this.backoffMaxMs = o.backoffMaxMs ?? DEFAULTS.backoffMaxMs;
    this.pingEveryMs = o.pingEveryMs ?? DEFAULTS.pingEveryMs;
    this.silenceLimitMs = o.silenceLimitMs ?? DEFAULTS.silenceLimitMs;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    this.stopped = true;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.pingTimer = undefined;
    this.lastRx = 0;
    /** counts URL requests: an answer to an older one than the last is dropped */
    this.connecting = 0;
    this._onOnline = () => { if (!this.stopped && !this.ws) this._connectNow(); };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this._onOnline);
    this._connectNow();
  }

  stop() {
    this.stopped = true;
    this.connecting += 1;
    window.removeEventListener('online', this._onOnline);
    clearTimeout(this.retryTimer);
    this._stopPing();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      detach(ws);
      try { ws.close(1000); } catch { /* already closed */ }
    }
  }

  isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** @param {object} obj sent as JSON; false when not connected */
  send(obj) {
    if (!this.ws || !this.isOpen()) return false;
    try { this.ws.send(JSON.stringify(obj)); return true; } catch { return false; }
  }

  /** Call once the server has greeted us, so a flapping link backs off but a healthy one does not. */
  resetBackoff() { this.attempt = 0; }

  /** Drop the current socket and reconnect (used when the connection is judged unusable). */
  reconnect() {
    if (this.stopped) return;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      detach(ws);
      try { ws.close(4000, 'client reconnect'); } catch { /* ignore */ }
      if (this.h.onClose) this.h.onClose(4000);
    }
    this._stopPing();
    this._schedule();
  }

  _connectNow() {
    clearTimeout(this.retryTimer);
    /** @type {string | Promise<string>} */
    let url;
    try {
      url = this.url();
    } catch {
      this._schedule();
      return;
    }
    if (typeof url === 'string') { this._open(url); return; }
    // While the URL is on its way, `connecting` keeps `start`, `online` and `reconnect`
    // from opening a second socket; `stop` in the meantime wins.
    const connecting = ++this.connecting;
    url.then((u) => {
      if (this.stopped || connecting !== this.connecting) return;
      this._open(u);
    }, (/** @type {unknown} */ err) => {
      if (this.stopped || connecting !== this.connecting) return;
      const code = err && typeof err === 'object' && 'closeCode' in err ? err.closeCode : null;
      if (typeof code === 'number' && this.fatalCodes.indexOf(code) !== -1) {
        this.stopped = true;
        if (this.h.onFatal) this.h.onFatal(code, 'refused');
        return;
      }
      this._schedule();
    });
  }

  /** @param {string} url */
  _open(url) {
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this._schedule();
      return;
    }
    this.ws = ws;
    if (this.h.onState) this.h.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    ws.onopen = () => {
      this.lastRx = Date.now();
      this._startPing();
      if (this.h.onOpen) this.h.onOpen();
    };
    ws.onmessage = (ev) => {
      this.lastRx = Date.now();
      /** @type {unknown} */
      let frame;
      try { frame = JSON.parse(ev.data); } catch { return; }
      if (!frame || typeof frame !== 'object' || !('type' in frame) || typeof frame.type !== 'string') return;
      try {
        this.h.onFrame(/** @type {{ type: string }} */ (frame));
      } catch (err) {
        console.error('ContactHub: frame handler failed', frame, err);
      }
    };
    ws.onerror = () => { /* a close event always follows */ };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._stopPing();
      if (this.h.onClose) this.h.onClose(ev.code);
      if (this.fatalCodes.indexOf(ev.code) !== -1) {
        this.stopped = true;
        if (this.h.onFatal) this.h.onFatal(ev.code, ev.reason);
        return;
      }
      this._schedule();
    };
  }

  _schedule() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = Math.min(this.backoffMaxMs, this.backoffMinMs * Math.pow(2, this.attempt));
    this.attempt += 1;
    // ±25% jitter so a hub restart is not greeted by every client at once.
    const delay = Math.min(this.backoffMaxMs, Math.round(base * (0.75 + Math.random() * 0.5)));
    if (this.h.onState) this.h.onState('reconnecting', delay, this.attempt);
    this.retryTimer = setTimeout(() => this._connectNow(), delay);
  }

  _startPing() {
    this._stopPing();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastRx > this.silenceLimitMs) { this.reconnect(); return; }
      this.send({ type: 'ping' });
    }, this.pingEveryMs);
  }

  _stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

/** @type {Record<string, string>} */
const CONN_LABELS = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  syncing: 'Syncing…',
  offline: 'Disconnected',
};

/**
 * Update a connection indicator element (data-state is what tests and CSS key on).
 * @param {HTMLElement | null} node
 * @param {string} state connecting | connected | reconnecting | syncing | offline
 * @param {number} [delayMs] until the next attempt, shown as a tooltip
 */
export function setConnIndicator(node, state, delayMs) {
  if (!node) return;
  node.setAttribute('data-state', state);
  node.textContent = CONN_LABELS[state] || state;
  node.title = state === 'reconnecting' && delayMs ? 'Next attempt in ' + (delayMs / 1000).toFixed(1) + 's' : '';
}
