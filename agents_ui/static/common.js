/*
 * ContactHub — helpers shared by the agent console and the supervisor view.
 *
 * Loaded as a classic script before console.js / supervisor.js and exposed as
 * `window.CH`. Nothing here inserts markup: every piece of text goes through
 * textContent so customer-provided strings can never become HTML.
 */
(function () {
  'use strict';

  const CH = {};

  // ---------------------------------------------------------------- auth token

  // The login answer carries a bearer token. The server also sets an HttpOnly
  // cookie, so after a page reload we simply have no token and rely on the
  // cookie (same origin) for both REST and websocket.
  let token = null;
  CH.setToken = (t) => { token = t || null; };
  CH.getToken = () => token;

  // ---------------------------------------------------------------- REST

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || ('HTTP ' + status));
      this.status = status;
      this.body = body;
    }
  }
  CH.ApiError = ApiError;

  CH.api = async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    const text = await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = { message: text }; }
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  };

  // ---------------------------------------------------------------- ids

  // crypto.randomUUID only exists in secure contexts (https or localhost); a
  // hub reached as http://10.0.0.5:8080 would not have it.
  CH.uuid = function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      try { return window.crypto.randomUUID(); } catch (_) { /* fall through */ }
    }
    const b = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' +
      h.slice(16, 20) + '-' + h.slice(20);
  };

  // ---------------------------------------------------------------- DOM

  /**
   * Build an element. `opts`: class, testid, text, title, attrs{}, on{}.
   * Children may be nodes, strings (become text nodes) or null (skipped).
   */
  CH.el = function el(tag, opts, ...children) {
    const node = document.createElement(tag);
    const o = opts || {};
    if (o.class) node.className = o.class;
    if (o.testid) node.setAttribute('data-testid', o.testid);
    if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
    if (o.title) node.title = o.title;
    if (o.attrs) for (const [k, v] of Object.entries(o.attrs)) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    }
    if (o.on) for (const [ev, fn] of Object.entries(o.on)) node.addEventListener(ev, fn);
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  };

  CH.$ = (id) => document.getElementById(id);

  CH.clear = function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  };

  // ---------------------------------------------------------------- formatting

  CH.fmtTime = function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    const now = new Date();
    const sameDay = d.toDateString() === now.toDateString();
    const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (sameDay) return time;
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
  };

  /** Seconds → "mm:ss" (minutes keep growing past 59 rather than wrapping). */
  CH.fmtMmSs = function fmtMmSs(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds) || 0));
    const m = Math.floor(s / 60);
    return String(m).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  };

  CH.timeValue = function timeValue(iso) {
    const t = iso ? Date.parse(iso) : NaN;
    return isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
  };

  // ---------------------------------------------------------------- toasts

  const TOAST_LIMIT = 5;
  const TOAST_MS = 20000;

  /** Non-blocking notice; errors stay longer and every toast can be dismissed. */
  CH.toast = function toast(text, kind) {
    const box = CH.$('toasts');
    if (!box) return;
    const node = CH.el('div', {
      class: 'toast toast-' + (kind || 'info'), testid: 'toast', attrs: { role: 'status' },
    });
    const close = () => { if (node.parentNode) node.parentNode.removeChild(node); };
    node.appendChild(CH.el('span', { class: 'toast-text', text }));
    node.appendChild(CH.el('button', {
      class: 'toast-close', testid: 'toast-dismiss', text: '×', title: 'Dismiss',
      attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: close },
    }));
    box.appendChild(node);
    // An agent works for hours: never let notices pile up without bound.
    while (box.children.length > TOAST_LIMIT) box.removeChild(box.firstChild);
    setTimeout(close, kind === 'error' ? TOAST_MS * 2 : TOAST_MS);
  };

  CH.toastError = function toastError(frame) {
    CH.toast((frame.code || 'error') + ': ' + (frame.message || 'unknown error'), 'error');
  };

  // ---------------------------------------------------------------- login

  /**
   * Resolve the signed-in agent: GET /api/v1/me, or show the login form and
   * wait for a successful POST /api/v1/auth/login. Network failures (hub
   * restarting) are retried rather than shown as a login prompt.
   */
  CH.requireLogin = function requireLogin(views) {
    return new Promise((resolve) => {
      let delay = 500;
      const tryMe = async () => {
        try {
          const agent = await CH.api('GET', '/api/v1/me');
          resolve(agent);
        } catch (e) {
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
            showLoginForm(views, resolve);
          } else {
            setLoginMessage(views, 'Cannot reach the hub, retrying…');
            showView(views, 'login');
            setTimeout(tryMe, delay);
            delay = Math.min(delay * 2, 10000);
          }
        }
      };
      tryMe();
    });
  };

  /** Show the login form directly (after logout or a 4401 close). */
  CH.promptLogin = function promptLogin(views, message) {
    return new Promise((resolve) => {
      showLoginForm(views, resolve);
      if (message) setLoginMessage(views, message);
    });
  };

  function showView(views, which) {
    views.login.hidden = which !== 'login';
    views.app.hidden = which !== 'app';
    if (views.onChange) views.onChange(which);
  }
  CH.showView = showView;

  function setLoginMessage(views, text) {
    const err = views.login.querySelector('[data-testid="login-error"]');
    if (err) { err.textContent = text || ''; err.hidden = !text; }
  }

  function showLoginForm(views, resolve) {
    showView(views, 'login');
    setLoginMessage(views, '');
    const form = views.login.querySelector('form');
    const submit = form.querySelector('[type="submit"]');
    // Replace any handler from an earlier prompt so one submit never resolves twice.
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const email = form.elements.email.value.trim();
      const password = form.elements.password.value;
      if (!email || !password) { setLoginMessage(views, 'Enter your email and password.'); return; }
      submit.disabled = true;
      setLoginMessage(views, '');
      try {
        const res = await CH.api('POST', '/api/v1/auth/login', { email, password });
        CH.setToken(res && res.token);
        form.elements.password.value = '';
        form.onsubmit = null;
        resolve(res.agent);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) setLoginMessage(views, 'Wrong email or password.');
        else setLoginMessage(views, 'Login failed: ' + (e.message || 'network error'));
      } finally {
        submit.disabled = false;
      }
    };
    setTimeout(() => form.elements.email.focus(), 0);
  }

  /**
   * A server that refuses the websocket upgrade with HTTP 401 looks to the
   * browser like any other failed connect (close code 1006), so after a few
   * failures we ask the REST API whether our session is still valid.
   */
  CH.sessionValid = async function sessionValid() {
    try {
      await CH.api('GET', '/api/v1/me');
      return true;
    } catch (e) {
      return !(e instanceof ApiError && e.status === 401);
    }
  };

  CH.logout = async function logout() {
    try { await CH.api('POST', '/api/v1/auth/logout'); } catch (_) { /* cookie may already be gone */ }
    CH.setToken(null);
  };

  // ---------------------------------------------------------------- websocket

  CH.wsUrl = function wsUrl(path) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = proto + '//' + location.host + path;
    if (token) url += '?token=' + encodeURIComponent(token);
    return url;
  };

  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const PING_EVERY_MS = 20000;
  // A half-open TCP connection never fires `close`; if the server (which
  // answers every ping) has been silent this long, assume the socket is dead.
  const SILENCE_LIMIT_MS = 50000;

  /**
   * A websocket that reconnects with exponential backoff and jitter.
   * handlers: onOpen(), onFrame(obj), onClose(code), onState(state, delayMs),
   *           onFatal(code)
   * fatalCodes: close codes after which we must not retry (auth problems).
   */
  class ReconnectingSocket {
    constructor(path, handlers, fatalCodes) {
      this.path = path;
      this.h = handlers;
      this.fatalCodes = fatalCodes || [];
      this.ws = null;
      this.attempt = 0;
      this.stopped = true;
      this.retryTimer = null;
      this.pingTimer = null;
      this.lastRx = 0;
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
      window.removeEventListener('online', this._onOnline);
      clearTimeout(this.retryTimer);
      this._stopPing();
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        detach(ws);
        try { ws.close(1000); } catch (_) { /* already closed */ }
      }
    }

    isOpen() {
      return !!this.ws && this.ws.readyState === WebSocket.OPEN;
    }

    send(obj) {
      if (!this.isOpen()) return false;
      try { this.ws.send(JSON.stringify(obj)); return true; } catch (_) { return false; }
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
        try { ws.close(4000, 'client reconnect'); } catch (_) { /* ignore */ }
        if (this.h.onClose) this.h.onClose(4000);
      }
      this._stopPing();
      this._schedule();
    }

    _connectNow() {
      clearTimeout(this.retryTimer);
      let ws;
      try {
        ws = new WebSocket(CH.wsUrl(this.path));
      } catch (_) {
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
        let frame;
        try { frame = JSON.parse(ev.data); } catch (_) { return; }
        if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
        try { this.h.onFrame(frame); } catch (err) { console.error('frame handler failed', frame, err); }
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
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, this.attempt));
      this.attempt += 1;
      // ±25% jitter so a hub restart is not greeted by every console at once.
      const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.75 + Math.random() * 0.5)));
      if (this.h.onState) this.h.onState('reconnecting', delay, this.attempt);
      this.retryTimer = setTimeout(() => this._connectNow(), delay);
    }

    _startPing() {
      this._stopPing();
      this.pingTimer = setInterval(() => {
        if (Date.now() - this.lastRx > SILENCE_LIMIT_MS) { this.reconnect(); return; }
        this.send({ type: 'ping' });
      }, PING_EVERY_MS);
    }

    _stopPing() {
      clearInterval(this.pingTimer);
      this.pingTimer = null;
    }
  }

  function detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  }

  CH.ReconnectingSocket = ReconnectingSocket;

  /** Update a connection indicator element (data-state is what tests and CSS key on). */
  CH.setConnIndicator = function setConnIndicator(node, state, delayMs) {
    if (!node) return;
    const labels = {
      connecting: 'Connecting…',
      connected: 'Connected',
      reconnecting: 'Reconnecting…',
      syncing: 'Syncing…',
      offline: 'Disconnected',
    };
    node.setAttribute('data-state', state);
    node.textContent = labels[state] || state;
    node.title = state === 'reconnecting' && delayMs ? 'Next attempt in ' + (delayMs / 1000).toFixed(1) + 's' : '';
  };

  window.CH = CH;
})();
