/*
 * ContactHub chat widget.
 *
 * Embed with one tag:  <script src="https://hub.example/widget.js" async></script>
 * Optional, set before the tag:  window.ContactHub = { name: "Ada", email: "ada@example.com" }
 *
 * Protocol: docs/protocol.md ("Customer socket /ws/chat").
 *
 * Guarantees:
 *  - Every outgoing message gets a client_id and sits in a localStorage outbox
 *    until its `ack`; after any reconnect (or page reload) the outbox is sent
 *    again with the same ids and the server dedupes.
 *  - Each message shows once: bubbles are keyed by message_id, and a pending
 *    bubble (keyed by client_id) merges into the committed one on ack.
 *  - Host pages and agents cannot inject markup: all text uses textContent,
 *    and all styles are scoped under #contacthub-widget with a chw- prefix.
 */
(function () {
  'use strict';

  if (window.__contactHubWidget) return; // included twice: keep one widget
  window.__contactHubWidget = true;

  const TOKEN_KEY = 'contacthub.visitor_token';
  const OUTBOX_KEY = 'contacthub.outbox';
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const PING_EVERY_MS = 25000;
  const SILENCE_LIMIT_MS = 60000;
  const TYPING_SEND_EVERY_MS = 3000;
  const TYPING_IDLE_MS = 4000;
  const AGENT_TYPING_TTL_MS = 8000;

  // Must run synchronously at load: currentScript is null once we are async-deferred.
  const SCRIPT = document.currentScript || findOwnScript();
  const HUB_ORIGIN = new URL(SCRIPT && SCRIPT.src ? SCRIPT.src : '/', location.href).origin;
  const WS_URL = HUB_ORIGIN.replace(/^http/, 'ws') + '/ws/chat';

  function findOwnScript() {
    const scripts = document.getElementsByTagName('script');
    for (let i = scripts.length - 1; i >= 0; i--) {
      const src = scripts[i].src || '';
      if (/\/widget\.js(?:[?#].*)?$/.test(src)) return scripts[i];
    }
    return null;
  }

  // ------------------------------------------------------------------ storage

  // localStorage can throw (privacy modes, sandboxed iframes); degrade to memory.
  const memoryStore = {};
  const store = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (_) { return memoryStore[key] || null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (_) { memoryStore[key] = value; }
    },
  };

  // The outbox is always read from storage and updated read-modify-write, so
  // two tabs of the same site never overwrite each other's unsent messages.
  function outboxItems() {
    try {
      const list = JSON.parse(store.get(OUTBOX_KEY) || '[]');
      return Array.isArray(list) ? list.filter((m) => m && typeof m.client_id === 'string' && typeof m.text === 'string') : [];
    } catch (_) {
      return [];
    }
  }

  function outboxAdd(item) {
    const list = outboxItems();
    list.push(item);
    store.set(OUTBOX_KEY, JSON.stringify(list));
  }

  function outboxRemove(clientId) {
    const list = outboxItems();
    const next = list.filter((m) => m.client_id !== clientId);
    if (next.length !== list.length) store.set(OUTBOX_KEY, JSON.stringify(next));
  }

  function uuid() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (_) { /* insecure context: fall through */ }
    }
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // ------------------------------------------------------------------ state

  const state = {
    ws: null,
    ready: false,          // welcome received on the current socket
    started: false,
    attempt: 0,
    retryTimer: null,
    pingTimer: null,
    lastRx: 0,
    open: false,           // panel visible
    unread: 0,
    conversationId: null,
    status: null,          // pending | open | resolved | null
    agentName: null,
    queuePosition: null,
    agentTyping: false,
    agentTypingTimer: null,
    notice: '',            // transient error text
    noticeTimer: null,
    messages: [],          // rendered bubbles: {key, message_id, client_id, mine, author, agent_name, text, created_at, pending}
    typingOut: { lastSent: 0, idleTimer: null, active: false },
  };

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, cls, opts) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    const o = opts || {};
    if (o.testid) node.setAttribute('data-testid', o.testid);
    if (o.text != null) node.textContent = String(o.text);
    if (o.attrs) for (const k of Object.keys(o.attrs)) node.setAttribute(k, o.attrs[k]);
    return node;
  }

  const ui = {};

  const CSS = [
    // Reset under an id selector so ordinary host rules (div {...}, button {...})
    // cannot reach in; our own class rules below are more specific still.
    '#contacthub-widget, #contacthub-widget * { box-sizing: border-box; margin: 0; padding: 0; border: 0; background: none; box-shadow: none; color: inherit; float: none; width: auto; height: auto; min-width: 0; min-height: 0; max-width: none; max-height: none; text-align: left; text-decoration: none; text-shadow: none; text-transform: none; letter-spacing: normal; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 14px; font-weight: normal; font-style: normal; line-height: 1.4; }',
    '#contacthub-widget { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; color: #1f2328; }',
    '#contacthub-widget .chw-launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; position: relative; margin-left: auto; }',
    '#contacthub-widget .chw-launcher:hover { background: #1d4ed8; }',
    '#contacthub-widget .chw-launcher:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }',
    '#contacthub-widget .chw-launcher svg { width: 26px; height: 26px; fill: #fff; }',
    '#contacthub-widget .chw-dot { position: absolute; top: 2px; right: 2px; min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px; background: #dc2626; color: #fff; font-size: 11px; font-weight: 700; line-height: 18px; text-align: center; }',
    '#contacthub-widget .chw-panel { width: 340px; max-width: calc(100vw - 40px); height: 480px; max-height: calc(100vh - 110px); margin-bottom: 12px; background: #fff; border: 1px solid #d0d7de; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.18); display: flex; flex-direction: column; overflow: hidden; }',
    '#contacthub-widget .chw-header { background: #2563eb; color: #fff; padding: 10px 14px; display: flex; align-items: center; gap: 8px; }',
    '#contacthub-widget .chw-title { font-weight: 600; font-size: 15px; flex: 1; color: #fff; }',
    '#contacthub-widget .chw-close { background: transparent; border: none; color: #fff; font-size: 20px; line-height: 1; cursor: pointer; padding: 2px 6px; border-radius: 4px; }',
    '#contacthub-widget .chw-close:hover { background: rgba(255,255,255,.15); }',
    '#contacthub-widget .chw-info { padding: 6px 14px; background: #f6f8fa; border-bottom: 1px solid #eaeef2; font-size: 13px; color: #57606a; min-height: 0; }',
    '#contacthub-widget .chw-info > div { font-size: 13px; }',
    '#contacthub-widget .chw-info > div + div { margin-top: 2px; }',
    '#contacthub-widget .chw-conn { color: #9a6700; }',
    '#contacthub-widget .chw-notice { color: #cf222e; }',
    '#contacthub-widget .chw-status { color: #1a7f37; }',
    '#contacthub-widget .chw-thread { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; background: #fff; }',
    '#contacthub-widget .chw-empty { color: #8c959f; text-align: center; margin-top: 40px; }',
    '#contacthub-widget .chw-msg { max-width: 80%; padding: 7px 10px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere; }',
    '#contacthub-widget .chw-msg-mine { align-self: flex-end; background: #2563eb; color: #fff; border-bottom-right-radius: 4px; }',
    '#contacthub-widget .chw-msg-agent { align-self: flex-start; background: #eef1f4; color: #1f2328; border-bottom-left-radius: 4px; }',
    '#contacthub-widget .chw-msg-system { align-self: center; background: transparent; color: #57606a; font-style: italic; }',
    '#contacthub-widget .chw-msg-pending { opacity: .65; }',
    '#contacthub-widget .chw-msg-failed { opacity: .65; text-decoration: line-through; }',
    '#contacthub-widget .chw-meta { display: block; font-size: 11px; opacity: .75; margin-top: 2px; }',
    '#contacthub-widget .chw-typing { padding: 0 14px 4px; font-size: 12px; color: #57606a; font-style: italic; min-height: 0; }',
    '#contacthub-widget .chw-form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #eaeef2; background: #fff; }',
    '#contacthub-widget .chw-input { flex: 1; resize: none; height: 40px; max-height: 120px; padding: 9px 10px; border: 1px solid #d0d7de; border-radius: 8px; background: #fff; color: #1f2328; }',
    '#contacthub-widget .chw-input:focus { outline: 2px solid #93c5fd; border-color: #2563eb; }',
    '#contacthub-widget .chw-send { border: none; background: #2563eb; color: #fff; border-radius: 8px; padding: 0 14px; font-weight: 600; cursor: pointer; }',
    '#contacthub-widget .chw-send:hover { background: #1d4ed8; }',
    '#contacthub-widget [hidden] { display: none !important; }',
  ].join('\n');

  // Speech-bubble icon built with DOM APIs (no markup strings anywhere).
  function launcherIcon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    svg.appendChild(path);
    return svg;
  }

  function buildUi() {
    const style = el('style', null, { text: CSS, attrs: { id: 'contacthub-widget-style' } });
    (document.head || document.documentElement).appendChild(style);

    const root = el('div', 'chw-root', { attrs: { id: 'contacthub-widget' } });

    ui.panel = el('div', 'chw-panel', { testid: 'chat-panel', attrs: { role: 'dialog', 'aria-label': 'Chat' } });
    ui.panel.hidden = true;

    const header = el('div', 'chw-header');
    header.appendChild(el('div', 'chw-title', { text: 'Chat with us' }));
    ui.close = el('button', 'chw-close', { text: '\u00d7', testid: 'chat-close', attrs: { type: 'button', 'aria-label': 'Close chat' } });
    header.appendChild(ui.close);

    ui.info = el('div', 'chw-info');
    ui.conn = el('div', 'chw-conn', { testid: 'chat-connection' });
    ui.agent = el('div', 'chw-agent', { testid: 'chat-agent' });
    ui.queue = el('div', 'chw-queue', { testid: 'chat-queue' });
    ui.status = el('div', 'chw-status', { testid: 'chat-status' });
    ui.notice = el('div', 'chw-notice', { testid: 'chat-notice' });
    for (const n of [ui.conn, ui.agent, ui.queue, ui.status, ui.notice]) ui.info.appendChild(n);

    ui.thread = el('div', 'chw-thread', { testid: 'chat-thread', attrs: { 'aria-live': 'polite' } });
    ui.typing = el('div', 'chw-typing', { testid: 'chat-typing' });

    ui.form = el('form', 'chw-form');
    ui.input = el('textarea', 'chw-input', {
      testid: 'chat-input', attrs: { rows: '1', placeholder: 'Type a message\u2026', 'aria-label': 'Message' },
    });
    ui.send = el('button', 'chw-send', { text: 'Send', testid: 'chat-send', attrs: { type: 'submit' } });
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);

    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.info);
    ui.panel.appendChild(ui.thread);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(ui.form);

    ui.launcher = el('button', 'chw-launcher', {
      testid: 'chat-launcher', attrs: { type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false' },
    });
    ui.launcher.appendChild(launcherIcon());
    ui.dot = el('span', 'chw-dot', { testid: 'chat-unread' });
    ui.dot.hidden = true;
    ui.launcher.appendChild(ui.dot);

    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(root);

    ui.launcher.addEventListener('click', togglePanel);
    ui.close.addEventListener('click', () => setOpen(false));
    ui.form.addEventListener('submit', onSubmit);
    ui.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); onSubmit(ev); }
    });
    ui.input.addEventListener('input', onTyping);
    ui.input.addEventListener('blur', stopTyping);
  }

  // ------------------------------------------------------------------ panel

  function togglePanel() {
    setOpen(!state.open);
  }

  function setOpen(open) {
    state.open = open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute('aria-expanded', String(open));
    ui.launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    if (open) {
      state.unread = 0;
      connect(); // first open of a brand-new visitor is what creates them on the hub
      render();
      scrollToBottom();
      setTimeout(() => ui.input.focus(), 0);
    } else {
      stopTyping();
      render();
    }
  }

  // ------------------------------------------------------------------ socket

  function connect() {
    if (state.started) return;
    state.started = true;
    window.addEventListener('online', () => { if (!state.ws) openSocket(); });
    openSocket();
  }

  function openSocket() {
    clearTimeout(state.retryTimer);
    let ws;
    try {
      ws = new WebSocket(WS_URL);
    } catch (_) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    state.ready = false;
    ws.onopen = () => {
      state.lastRx = Date.now();
      const hello = { type: 'hello' };
      const token = store.get(TOKEN_KEY);
      if (token) hello.visitor_token = token;
      const host = window.ContactHub || {};
      if (typeof host.name === 'string' && host.name) hello.name = host.name;
      if (typeof host.email === 'string' && host.email) hello.email = host.email;
      rawSend(hello);
      startPing();
    };
    ws.onmessage = (ev) => {
      state.lastRx = Date.now();
      let f;
      try { f = JSON.parse(ev.data); } catch (_) { return; }
      if (!f || typeof f.type !== 'string') return;
      try { onFrame(f); } catch (err) { if (window.console) console.error('ContactHub widget:', err); }
    };
    ws.onerror = () => { /* close follows */ };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      dropSocket();
      scheduleReconnect();
    };
    render();
  }

  function dropSocket() {
    const ws = state.ws;
    state.ws = null;
    state.ready = false;
    clearInterval(state.pingTimer);
    state.typingOut.active = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(); } catch (_) { /* ignore */ }
    }
  }

  function scheduleReconnect() {
    clearTimeout(state.retryTimer);
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempt));
    state.attempt += 1;
    // Jitter spreads reconnects when the hub restarts under many visitors.
    const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.75 + Math.random() * 0.5)));
    state.retryTimer = setTimeout(openSocket, delay);
    render();
  }

  function startPing() {
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => {
      // A half-open connection never closes by itself; silence means it is dead.
      if (Date.now() - state.lastRx > SILENCE_LIMIT_MS) { dropSocket(); scheduleReconnect(); return; }
      rawSend({ type: 'ping' });
    }, PING_EVERY_MS);
  }

  function rawSend(obj) {
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try { ws.send(JSON.stringify(obj)); return true; } catch (_) { return false; }
  }

  /** Frames other than hello may only follow the server's welcome. */
  function send(obj) {
    return state.ready && rawSend(obj);
  }

  // ------------------------------------------------------------------ frames

  function onFrame(f) {
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'ack': onAck(f); break;
      case 'message': onAgentMessage(f); break;
      case 'queue': onQueue(f); break;
      case 'assigned': onAssigned(f); break;
      case 'typing': onAgentTyping(f); break;
      case 'status': onStatus(f); break;
      case 'error': onError(f); break;
      default: break; // pong and future frame types
    }
  }

  function onWelcome(f) {
    if (f.visitor_token) store.set(TOKEN_KEY, f.visitor_token);
    state.ready = true;
    state.attempt = 0;
    if (f.conversation_id && f.conversation_id !== state.conversationId) state.queuePosition = null;
    state.conversationId = f.conversation_id || null;
    state.status = f.status || null;
    state.agentName = f.agent_name || null;
    if (state.status !== 'pending') state.queuePosition = null;
    for (const m of f.history || []) addCommitted(fromHistory(m));
    // Re-send everything not yet acked; same client_id, so the hub stores each once.
    for (const item of outboxItems()) {
      addPending(item);
      send({ type: 'message', client_id: item.client_id, text: item.text });
    }
    render();
    scrollToBottom();
  }

  function fromHistory(m) {
    const mine = m.author === 'customer' || m.direction === 'in';
    return {
      message_id: m.id || m.message_id,
      mine,
      author: m.author || (mine ? 'customer' : 'agent'),
      agent_name: m.agent_name || null,
      text: m.text == null ? '' : String(m.text),
      created_at: m.created_at || null,
    };
  }

  function onAck(f) {
    outboxRemove(f.client_id);
    const fresh = !state.conversationId || state.status === 'resolved' || !state.status;
    if (f.conversation_id && f.conversation_id !== state.conversationId && fresh) {
      // The first message (or the first after a resolution) opened a conversation.
      state.conversationId = f.conversation_id;
      state.status = 'pending';
      state.agentName = null;
      state.queuePosition = null;
    }
    const pending = state.messages.find((m) => m.client_id === f.client_id);
    const committed = f.message_id ? state.messages.find((m) => m.message_id === f.message_id) : null;
    if (pending && committed && pending !== committed) {
      // Already shown from history (ack was lost before a reload): drop the copy.
      state.messages.splice(state.messages.indexOf(pending), 1);
    } else if (pending) {
      pending.pending = false;
      pending.message_id = f.message_id || pending.message_id;
    }
    render();
  }

  function onAgentMessage(f) {
    const isNew = addCommitted({
      message_id: f.message_id,
      mine: false,
      author: f.author || 'agent',
      agent_name: f.agent_name || null,
      text: f.text == null ? '' : String(f.text),
      created_at: f.created_at || null,
    });
    if (f.conversation_id) state.conversationId = f.conversation_id;
    if (f.agent_name) state.agentName = f.agent_name;
    state.agentTyping = false;
    if (isNew && !state.open) state.unread += 1;
    render();
    scrollToBottom();
  }

  function onQueue(f) {
    if (f.conversation_id) state.conversationId = f.conversation_id;
    state.queuePosition = typeof f.position === 'number' ? f.position : null;
    // Queue updates mean nobody is assigned (again, e.g. after a transfer to a queue).
    state.status = 'pending';
    state.agentName = null;
    render();
  }

  function onAssigned(f) {
    if (f.conversation_id) state.conversationId = f.conversation_id;
    state.agentName = f.agent_name || state.agentName;
    state.status = 'open';
    state.queuePosition = null;
    render();
  }

  function onAgentTyping(f) {
    state.agentTyping = !!f.typing;
    if (f.agent_name) state.agentName = f.agent_name;
    clearTimeout(state.agentTypingTimer);
    // Never leave "is typing" on if the stop frame got lost.
    if (state.agentTyping) {
      state.agentTypingTimer = setTimeout(() => { state.agentTyping = false; render(); }, AGENT_TYPING_TTL_MS);
    }
    render();
  }

  function onStatus(f) {
    if (f.conversation_id && state.conversationId && f.conversation_id !== state.conversationId) return;
    state.status = f.status || state.status;
    if (state.status === 'resolved') {
      state.queuePosition = null;
      state.agentTyping = false;
    }
    render();
  }

  function onError(f) {
    if (f.code === 'auth') return; // the socket closes and we reconnect with a fresh hello
    if (f.client_id && (f.code === 'too_large' || f.code === 'bad_frame')) {
      // Rejected for what it is, not for a passing fault: resending would fail forever.
      outboxRemove(f.client_id);
      const rejected = state.messages.find((m) => m.client_id === f.client_id);
      if (rejected) { rejected.pending = false; rejected.failed = true; }
    }
    showNotice(f.code === 'unavailable' ? 'Having trouble sending \u2014 we will keep trying.'
      : f.code === 'too_large' ? 'That message is too long.'
        : 'Something went wrong (' + (f.code || 'error') + ').');
    if (f.code === 'unavailable') setTimeout(resendOutbox, 3000);
  }

  function resendOutbox() {
    for (const item of outboxItems()) send({ type: 'message', client_id: item.client_id, text: item.text });
  }

  function showNotice(text) {
    state.notice = text;
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => { state.notice = ''; render(); }, 8000);
    render();
  }

  // ------------------------------------------------------------------ message model

  /** Add a committed message unless its id is already shown. Returns true if added. */
  function addCommitted(m) {
    if (m.message_id && state.messages.some((x) => x.message_id === m.message_id)) return false;
    m.key = 'm:' + (m.message_id || uuid());
    m.pending = false;
    insertByTime(m);
    return true;
  }

  function addPending(item) {
    if (state.messages.some((x) => x.client_id === item.client_id)) return;
    state.messages.push({
      key: 'c:' + item.client_id,
      client_id: item.client_id,
      message_id: null,
      mine: true,
      author: 'customer',
      agent_name: null,
      text: item.text,
      created_at: item.created_at,
      pending: true,
    });
  }

  function insertByTime(m) {
    const t = Date.parse(m.created_at || '');
    if (isNaN(t)) { state.messages.push(m); return; }
    let i = state.messages.length;
    while (i > 0) {
      const prev = state.messages[i - 1];
      const pt = Date.parse(prev.created_at || '');
      if (prev.pending || isNaN(pt) || pt > t) i--;
      else break;
    }
    state.messages.splice(i, 0, m);
  }

  // ------------------------------------------------------------------ sending

  function onSubmit(ev) {
    ev.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    const item = { client_id: uuid(), text, created_at: new Date().toISOString() };
    outboxAdd(item); // before sending: a reload right now must not lose it
    addPending(item);
    if (state.status === 'resolved') {
      // The hub opens a new conversation with this message.
      state.status = null;
      state.agentName = null;
    }
    ui.input.value = '';
    stopTyping();
    connect();
    send({ type: 'message', client_id: item.client_id, text: item.text });
    render();
    scrollToBottom();
  }

  function onTyping() {
    const t = state.typingOut;
    const now = Date.now();
    if (!t.active || now - t.lastSent > TYPING_SEND_EVERY_MS) {
      if (send({ type: 'typing', typing: true })) {
        t.active = true;
        t.lastSent = now;
      }
    }
    clearTimeout(t.idleTimer);
    t.idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    const t = state.typingOut;
    clearTimeout(t.idleTimer);
    if (t.active) send({ type: 'typing', typing: false });
    t.active = false;
    t.lastSent = 0;
  }

  // ------------------------------------------------------------------ render

  function render() {
    if (!ui.panel) return;
    ui.dot.hidden = state.open || state.unread === 0;
    ui.dot.textContent = state.unread > 9 ? '9+' : String(state.unread);

    const connected = state.ready;
    setLine(ui.conn, !state.started || connected ? '' : state.ws && !state.attempt ? 'Connecting\u2026' : 'Reconnecting\u2026');

    const resolved = state.status === 'resolved';
    setLine(ui.agent, !resolved && state.agentName ? 'You are chatting with ' + state.agentName : '');
    let queueText = '';
    if (!resolved && !state.agentName && state.status === 'pending') {
      queueText = state.queuePosition ? 'You are number ' + state.queuePosition + ' in line' : 'Waiting for an agent\u2026';
    }
    setLine(ui.queue, queueText);
    setLine(ui.status, resolved ? 'This conversation has been resolved. Send a message to start a new one.' : '');
    setLine(ui.notice, state.notice);
    ui.info.hidden = !(ui.conn.textContent || ui.agent.textContent || ui.queue.textContent ||
      ui.status.textContent || ui.notice.textContent);

    setLine(ui.typing, state.agentTyping && !resolved ? (state.agentName || 'Agent') + ' is typing\u2026' : '');
    renderThread();
  }

  function setLine(node, text) {
    if (node.textContent !== text) node.textContent = text;
    node.hidden = !text;
  }

  function renderThread() {
    const frag = document.createDocumentFragment();
    if (!state.messages.length) {
      frag.appendChild(el('div', 'chw-empty', { text: 'Hi! How can we help you today?' }));
    }
    for (const m of state.messages) frag.appendChild(buildBubble(m));
    while (ui.thread.firstChild) ui.thread.removeChild(ui.thread.firstChild);
    ui.thread.appendChild(frag);
  }

  function buildBubble(m) {
    const kind = m.mine ? 'mine' : m.author === 'system' ? 'system' : 'agent';
    const look = m.failed ? ' chw-msg-failed' : m.pending ? ' chw-msg-pending' : '';
    const bubble = el('div', 'chw-msg chw-msg-' + kind + look, {
      testid: 'chat-message',
      attrs: { 'data-state': m.failed ? 'failed' : m.pending ? 'pending' : 'sent', 'data-author': m.mine ? 'customer' : m.author },
    });
    bubble.appendChild(el('span', 'chw-text', { text: m.text }));
    const meta = [];
    if (!m.mine && kind === 'agent' && m.agent_name) meta.push(m.agent_name);
    if (m.pending) meta.push('sending\u2026');
    else if (m.created_at) meta.push(shortTime(m.created_at));
    if (meta.length) bubble.appendChild(el('span', 'chw-meta', { text: meta.join(' \u00b7 ') }));
    return bubble;
  }

  function shortTime(iso) {
    const d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function scrollToBottom() {
    if (ui.thread) ui.thread.scrollTop = ui.thread.scrollHeight;
  }

  // ------------------------------------------------------------------ boot

  function boot() {
    buildUi();
    // Show queued messages right away; they are re-sent once connected.
    const queued = outboxItems();
    for (const item of queued) addPending(item);
    render();
    // A returning visitor (or one with unsent messages) reconnects at once so
    // agent replies and the outbox flow without opening the panel. A brand-new
    // visitor is only created on the hub when they open the chat.
    if (store.get(TOKEN_KEY) || queued.length) connect();
    window.ContactHubWidget = { open: () => setOpen(true), close: () => setOpen(false) };
  }

  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot);
})();
