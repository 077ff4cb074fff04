/* ContactHub chat widget. GENERATED: do not edit; edit agents_ui/static/widget/ and run
 * `npm run build` (docs/frontend.md). Built by esbuild 0.28.2 from:
 *   agents_ui/static/common.js
 *   agents_ui/static/reconnecting-socket.js
 *   agents_ui/static/widget/chat.js
 *   agents_ui/static/widget/element.js
 *   agents_ui/static/widget/frames.js
 *   agents_ui/static/widget/main.js
 *   agents_ui/static/widget/model.js
 *   agents_ui/static/widget/store.js
 *   agents_ui/static/widget/view.js
 *   agents_ui/static/widget/widget.css
 * sources-sha256: 0f60044a050e29edd2c41329d3d9396fb1a341799bbd5dd52a776b07095aac52
 */
"use strict";
(() => {
  // agents_ui/static/reconnecting-socket.js
  var DEFAULTS = {
    backoffMinMs: 500,
    backoffMaxMs: 1e4,
    pingEveryMs: 2e4,
    silenceLimitMs: 5e4
  };
  function detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  }
  var ReconnectingSocket = class {
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
      this.ws = null;
      this.attempt = 0;
      this.stopped = true;
      this.retryTimer = void 0;
      this.pingTimer = void 0;
      this.lastRx = 0;
      this.connecting = 0;
      this._onOnline = () => {
        if (!this.stopped && !this.ws) this._connectNow();
      };
    }
    start() {
      if (!this.stopped) return;
      this.stopped = false;
      window.addEventListener("online", this._onOnline);
      this._connectNow();
    }
    stop() {
      this.stopped = true;
      this.connecting += 1;
      window.removeEventListener("online", this._onOnline);
      clearTimeout(this.retryTimer);
      this._stopPing();
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        detach(ws);
        try {
          ws.close(1e3);
        } catch {
        }
      }
    }
    isOpen() {
      return !!this.ws && this.ws.readyState === WebSocket.OPEN;
    }
    /** @param {object} obj sent as JSON; false when not connected */
    send(obj) {
      if (!this.ws || !this.isOpen()) return false;
      try {
        this.ws.send(JSON.stringify(obj));
        return true;
      } catch {
        return false;
      }
    }
    /** Call once the server has greeted us, so a flapping link backs off but a healthy one does not. */
    resetBackoff() {
      this.attempt = 0;
    }
    /** Drop the current socket and reconnect (used when the connection is judged unusable). */
    reconnect() {
      if (this.stopped) return;
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        detach(ws);
        try {
          ws.close(4e3, "client reconnect");
        } catch {
        }
        if (this.h.onClose) this.h.onClose(4e3);
      }
      this._stopPing();
      this._schedule();
    }
    _connectNow() {
      clearTimeout(this.retryTimer);
      let url;
      try {
        url = this.url();
      } catch {
        this._schedule();
        return;
      }
      if (typeof url === "string") {
        this._open(url);
        return;
      }
      const connecting = ++this.connecting;
      url.then((u) => {
        if (this.stopped || connecting !== this.connecting) return;
        this._open(u);
      }, (err) => {
        if (this.stopped || connecting !== this.connecting) return;
        const code = err && typeof err === "object" && "closeCode" in err ? err.closeCode : null;
        if (typeof code === "number" && this.fatalCodes.indexOf(code) !== -1) {
          this.stopped = true;
          if (this.h.onFatal) this.h.onFatal(code, "refused");
          return;
        }
        this._schedule();
      });
    }
    /** @param {string} url */
    _open(url) {
      let ws;
      try {
        ws = new WebSocket(url);
      } catch {
        this._schedule();
        return;
      }
      this.ws = ws;
      if (this.h.onState) this.h.onState(this.attempt === 0 ? "connecting" : "reconnecting");
      ws.onopen = () => {
        this.lastRx = Date.now();
        this._startPing();
        if (this.h.onOpen) this.h.onOpen();
      };
      ws.onmessage = (ev) => {
        this.lastRx = Date.now();
        let frame;
        try {
          frame = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (!frame || typeof frame !== "object" || !("type" in frame) || typeof frame.type !== "string") return;
        try {
          this.h.onFrame(
            /** @type {{ type: string }} */
            frame
          );
        } catch (err) {
          console.error("ContactHub: frame handler failed", frame, err);
        }
      };
      ws.onerror = () => {
      };
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
      const delay = Math.min(this.backoffMaxMs, Math.round(base * (0.75 + Math.random() * 0.5)));
      if (this.h.onState) this.h.onState("reconnecting", delay, this.attempt);
      this.retryTimer = setTimeout(() => this._connectNow(), delay);
    }
    _startPing() {
      this._stopPing();
      this.pingTimer = setInterval(() => {
        if (Date.now() - this.lastRx > this.silenceLimitMs) {
          this.reconnect();
          return;
        }
        this.send({ type: "ping" });
      }, this.pingEveryMs);
    }
    _stopPing() {
      clearInterval(this.pingTimer);
      this.pingTimer = void 0;
    }
  };

  // agents_ui/static/common.js
  function uuid() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === "function") {
      try {
        return c.randomUUID();
      } catch {
      }
    }
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = b[6] & 15 | 64;
    b[8] = b[8] & 63 | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, opts, ...children) {
    const node = document.createElement(tag);
    const o = opts || {};
    if (o.class) node.className = o.class;
    if (o.testid) node.setAttribute("data-testid", o.testid);
    if (o.text !== void 0 && o.text !== null) node.textContent = String(o.text);
    if (o.title) node.title = o.title;
    if (o.attrs) {
      for (const [k, v] of Object.entries(o.attrs)) {
        if (v !== void 0 && v !== null && v !== false) node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    if (o.on) {
      for (const [ev, fn] of Object.entries(o.on)) node.addEventListener(
        ev,
        /** @type {EventListener} */
        fn
      );
    }
    for (const c of children) {
      if (c === null || c === void 0 || c === false) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // agents_ui/static/widget/model.js
  function createChatState() {
    return {
      ready: false,
      started: false,
      link: "connecting",
      open: false,
      unread: 0,
      conversationId: null,
      status: null,
      agentName: null,
      queuePosition: null,
      agentTyping: false,
      agentTypingTimer: void 0,
      notice: "",
      noticeTimer: void 0,
      messages: [],
      typingOut: { lastSent: 0, idleTimer: void 0, active: false }
    };
  }
  function fromHistory(m) {
    const mine = m.author === "customer" || m.direction === "in";
    return {
      message_id: m.id || m.message_id || null,
      mine,
      author: m.author || (mine ? "customer" : "agent"),
      agent_name: m.agent_name || null,
      text: m.text == null ? "" : String(m.text),
      created_at: m.created_at || null
    };
  }
  function addCommitted(state, m) {
    if (m.message_id && state.messages.some((x) => x.message_id === m.message_id)) return false;
    m.key = "m:" + (m.message_id || uuid());
    m.pending = false;
    insertByTime(state, m);
    return true;
  }
  function addPending(state, item) {
    if (state.messages.some((x) => x.client_id === item.client_id)) return;
    state.messages.push({
      key: "c:" + item.client_id,
      client_id: item.client_id,
      message_id: null,
      mine: true,
      author: "customer",
      agent_name: null,
      text: item.text,
      created_at: item.created_at,
      pending: true
    });
  }
  function insertByTime(state, m) {
    const t = Date.parse(m.created_at || "");
    if (isNaN(t)) {
      state.messages.push(m);
      return;
    }
    let i = state.messages.length;
    while (i > 0) {
      const prev = state.messages[i - 1];
      const pt = Date.parse(prev.created_at || "");
      if (prev.pending || isNaN(pt) || pt > t) i--;
      else break;
    }
    state.messages.splice(i, 0, m);
  }

  // agents_ui/static/widget/store.js
  var TOKEN_KEY = "contacthub.visitor_token";
  var OUTBOX_KEY = "contacthub.outbox";
  function createStore() {
    const memory = {};
    return {
      get(key) {
        try {
          return window.localStorage.getItem(key);
        } catch {
          return memory[key] || null;
        }
      },
      set(key, value) {
        try {
          window.localStorage.setItem(key, value);
        } catch {
          memory[key] = value;
        }
      }
    };
  }
  function outboxItems(store) {
    try {
      const list = JSON.parse(store.get(OUTBOX_KEY) || "[]");
      return Array.isArray(list) ? list.filter((m) => m && typeof m.client_id === "string" && typeof m.text === "string") : [];
    } catch {
      return [];
    }
  }
  function outboxAdd(store, item) {
    const list = outboxItems(store);
    list.push(item);
    store.set(OUTBOX_KEY, JSON.stringify(list));
  }
  function outboxRemove(store, clientId) {
    const list = outboxItems(store);
    const next = list.filter((m) => m.client_id !== clientId);
    if (next.length !== list.length) store.set(OUTBOX_KEY, JSON.stringify(next));
  }

  // agents_ui/static/widget/view.js
  function launcherIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }
  function buildUi(root) {
    const close = el("button", { class: "chw-close", text: "×", testid: "chat-close", attrs: { type: "button", "aria-label": "Close chat" } });
    const conn = el("div", { class: "chw-conn", testid: "chat-connection" });
    const agent = el("div", { class: "chw-agent", testid: "chat-agent" });
    const queue = el("div", { class: "chw-queue", testid: "chat-queue" });
    const status = el("div", { class: "chw-status", testid: "chat-status" });
    const notice = el("div", { class: "chw-notice", testid: "chat-notice" });
    const info = el("div", { class: "chw-info" }, conn, agent, queue, status, notice);
    const thread = el("div", { class: "chw-thread", testid: "chat-thread", attrs: { "aria-live": "polite" } });
    const typing = el("div", { class: "chw-typing", testid: "chat-typing" });
    const input = el("textarea", {
      class: "chw-input",
      testid: "chat-input",
      attrs: { rows: "1", placeholder: "Type a message…", "aria-label": "Message" }
    });
    const send = el("button", { class: "chw-send", text: "Send", testid: "chat-send", attrs: { type: "submit" } });
    const form = el("form", { class: "chw-form" }, input, send);
    const panel = el(
      "div",
      { class: "chw-panel", testid: "chat-panel", attrs: { role: "dialog", "aria-label": "Chat" } },
      el("div", { class: "chw-header" }, el("div", { class: "chw-title", text: "Chat with us" }), close),
      info,
      thread,
      typing,
      form
    );
    panel.hidden = true;
    const dot = el("span", { class: "chw-dot", testid: "chat-unread" });
    dot.hidden = true;
    const launcher = el("button", {
      class: "chw-launcher",
      testid: "chat-launcher",
      attrs: { type: "button", "aria-label": "Open chat", "aria-expanded": "false" }
    }, launcherIcon(), dot);
    root.appendChild(el("div", { class: "chw-root" }, panel, launcher));
    return { panel, close, info, conn, agent, queue, status, notice, thread, typing, form, input, send, launcher, dot };
  }
  function showPanel(ui, open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
  }
  function render(ui, state) {
    ui.dot.hidden = state.open || state.unread === 0;
    ui.dot.textContent = state.unread > 9 ? "9+" : String(state.unread);
    setLine(ui.conn, !state.started || state.ready ? "" : state.link === "connecting" ? "Connecting…" : "Reconnecting…");
    const resolved = state.status === "resolved";
    setLine(ui.agent, !resolved && state.agentName ? "You are chatting with " + state.agentName : "");
    let queueText = "";
    if (!resolved && !state.agentName && state.status === "pending") {
      queueText = state.queuePosition ? "You are number " + state.queuePosition + " in line" : "Waiting for an agent…";
    }
    setLine(ui.queue, queueText);
    setLine(ui.status, resolved ? "This conversation has been resolved. Send a message to start a new one." : "");
    setLine(ui.notice, state.notice);
    ui.info.hidden = !(ui.conn.textContent || ui.agent.textContent || ui.queue.textContent || ui.status.textContent || ui.notice.textContent);
    setLine(ui.typing, state.agentTyping && !resolved ? (state.agentName || "Agent") + " is typing…" : "");
    renderThread(ui, state);
  }
  function setLine(node, text) {
    if (node.textContent !== text) node.textContent = text;
    node.hidden = !text;
  }
  function renderThread(ui, state) {
    const frag = document.createDocumentFragment();
    if (!state.messages.length) {
      frag.appendChild(el("div", { class: "chw-empty", text: "Hi! How can we help you today?" }));
    }
    for (const m of state.messages) frag.appendChild(buildBubble(m));
    clear(ui.thread);
    ui.thread.appendChild(frag);
  }
  function buildBubble(m) {
    const kind = m.mine ? "mine" : m.author === "system" ? "system" : "agent";
    const look = m.failed ? " chw-msg-failed" : m.pending ? " chw-msg-pending" : "";
    const meta = [];
    if (!m.mine && kind === "agent" && m.agent_name) meta.push(m.agent_name);
    if (m.pending) meta.push("sending…");
    else if (m.created_at) meta.push(shortTime(m.created_at));
    return el(
      "div",
      {
        class: "chw-msg chw-msg-" + kind + look,
        testid: "chat-message",
        attrs: { "data-state": m.failed ? "failed" : m.pending ? "pending" : "sent", "data-author": m.mine ? "customer" : m.author }
      },
      el("span", { class: "chw-text", text: m.text }),
      meta.length ? el("span", { class: "chw-meta", text: meta.join(" · ") }) : null
    );
  }
  function shortTime(iso) {
    const d = new Date(iso);
    return isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function scrollToBottom(ui) {
    ui.thread.scrollTop = ui.thread.scrollHeight;
  }

  // agents_ui/static/widget/frames.js
  var AGENT_TYPING_TTL_MS = 8e3;
  var RATE_NOTICE = "Sending too fast — your messages will go in a moment.";
  function onWelcome(chat, f) {
    const state = chat.state;
    if (f.visitor_token) chat.store.set(TOKEN_KEY, f.visitor_token);
    state.ready = true;
    chat.socket.resetBackoff();
    if (f.conversation_id && f.conversation_id !== state.conversationId) state.queuePosition = null;
    state.conversationId = f.conversation_id || null;
    state.status = f.status || null;
    state.agentName = f.agent_name || null;
    if (state.status !== "pending") state.queuePosition = null;
    for (const m of f.history || []) addCommitted(state, fromHistory(m));
    for (const item of outboxItems(chat.store)) {
      addPending(state, item);
      chat.send({ type: "message", client_id: item.client_id, text: item.text });
    }
    chat.render();
    scrollToBottom(chat.ui);
  }
  function onAck(chat, f) {
    const state = chat.state;
    if (f.client_id) outboxRemove(chat.store, f.client_id);
    if (state.notice === RATE_NOTICE && !outboxItems(chat.store).length) chat.clearNotice();
    const fresh = !state.conversationId || state.status === "resolved" || !state.status;
    if (f.conversation_id && f.conversation_id !== state.conversationId && fresh) {
      state.conversationId = f.conversation_id;
      state.status = "pending";
      state.agentName = null;
      state.queuePosition = null;
    }
    const pending = state.messages.find((m) => m.client_id === f.client_id);
    const committed = f.message_id ? state.messages.find((m) => m.message_id === f.message_id) : null;
    if (pending && committed && pending !== committed) {
      state.messages.splice(state.messages.indexOf(pending), 1);
    } else if (pending) {
      pending.pending = false;
      pending.message_id = f.message_id || pending.message_id;
    }
    chat.render();
  }
  function onAgentMessage(chat, f) {
    const state = chat.state;
    const isNew = addCommitted(state, {
      message_id: f.message_id || null,
      mine: false,
      author: f.author || "agent",
      agent_name: f.agent_name || null,
      text: f.text == null ? "" : String(f.text),
      created_at: f.created_at || null
    });
    if (f.conversation_id) state.conversationId = f.conversation_id;
    if (f.agent_name) state.agentName = f.agent_name;
    state.agentTyping = false;
    if (isNew && !state.open) state.unread += 1;
    chat.render();
    scrollToBottom(chat.ui);
  }
  function onQueue(chat, f) {
    const state = chat.state;
    if (f.conversation_id) state.conversationId = f.conversation_id;
    state.queuePosition = typeof f.position === "number" ? f.position : null;
    state.status = "pending";
    state.agentName = null;
    chat.render();
  }
  function onAssigned(chat, f) {
    const state = chat.state;
    if (f.conversation_id) state.conversationId = f.conversation_id;
    state.agentName = f.agent_name || state.agentName;
    state.status = "open";
    state.queuePosition = null;
    chat.render();
  }
  function onAgentTyping(chat, f) {
    const state = chat.state;
    state.agentTyping = !!f.typing;
    if (f.agent_name) state.agentName = f.agent_name;
    clearTimeout(state.agentTypingTimer);
    if (state.agentTyping) {
      state.agentTypingTimer = setTimeout(() => {
        state.agentTyping = false;
        chat.render();
      }, AGENT_TYPING_TTL_MS);
    }
    chat.render();
  }
  function onStatus(chat, f) {
    const state = chat.state;
    if (f.conversation_id && state.conversationId && f.conversation_id !== state.conversationId) return;
    state.status = f.status || state.status;
    if (state.status === "resolved") {
      state.queuePosition = null;
      state.agentTyping = false;
    }
    chat.render();
  }
  function onError(chat, f) {
    if (f.code === "auth") return;
    if (f.code === "rate_limited") {
      const seconds = typeof f.retry_after === "number" && f.retry_after > 0 ? f.retry_after : 5;
      chat.resendAfter(seconds * 1e3);
      chat.showNotice(RATE_NOTICE);
      return;
    }
    if (f.client_id && (f.code === "too_large" || f.code === "bad_frame")) {
      outboxRemove(chat.store, f.client_id);
      const rejected = chat.state.messages.find((m) => m.client_id === f.client_id);
      if (rejected) {
        rejected.pending = false;
        rejected.failed = true;
      }
    }
    chat.showNotice(f.code === "unavailable" ? "Having trouble sending — we will keep trying." : f.code === "too_large" ? "That message is too long." : "Something went wrong (" + (f.code || "error") + ").");
    if (f.code === "unavailable") chat.resendAfter(3e3);
  }

  // agents_ui/static/widget/chat.js
  var PING_EVERY_MS = 25e3;
  var SILENCE_LIMIT_MS = 6e4;
  var TYPING_SEND_EVERY_MS = 3e3;
  var TYPING_IDLE_MS = 4e3;
  var NOTICE_MS = 8e3;
  var Chat = class {
    /**
     * @param {WidgetUi} ui
     * @param {string} wsUrl the hub's /ws/chat
     */
    constructor(ui, wsUrl) {
      this.ui = ui;
      this.state = createChatState();
      this.store = createStore();
      this.resendTimer = void 0;
      this.resendDue = 0;
      this.socket = new ReconnectingSocket(() => wsUrl, {
        onOpen: () => this.hello(),
        onFrame: (f) => this.onFrame(
          /** @type {ChatFrame} */
          f
        ),
        onClose: () => {
          this.state.ready = false;
          this.state.typingOut.active = false;
        },
        onState: (link) => {
          this.state.link = link;
          this.render();
        }
      }, { pingEveryMs: PING_EVERY_MS, silenceLimitMs: SILENCE_LIMIT_MS });
    }
    /** Show what is queued, and reconnect at once for a returning visitor. */
    boot() {
      const queued = outboxItems(this.store);
      for (const item of queued) addPending(this.state, item);
      this.render();
      if (this.store.get(TOKEN_KEY) || queued.length) this.connect();
    }
    render() {
      render(this.ui, this.state);
    }
    // ---------------------------------------------------------------- panel
    toggle() {
      this.setOpen(!this.state.open);
    }
    /** @param {boolean} open */
    setOpen(open) {
      this.state.open = open;
      showPanel(this.ui, open);
      if (open) {
        this.state.unread = 0;
        this.connect();
        this.render();
        scrollToBottom(this.ui);
        setTimeout(() => this.ui.input.focus(), 0);
      } else {
        this.stopTyping();
        this.render();
      }
    }
    // ---------------------------------------------------------------- socket
    connect() {
      if (this.state.started) return;
      this.state.started = true;
      this.socket.start();
    }
    hello() {
      const hello = { type: "hello" };
      const token = this.store.get(TOKEN_KEY);
      if (token) hello.visitor_token = token;
      const host = window.ContactHub || {};
      if (typeof host.name === "string" && host.name) hello.name = host.name;
      if (typeof host.email === "string" && host.email) hello.email = host.email;
      this.socket.send(hello);
    }
    /**
     * Frames other than hello may only follow the server's welcome.
     * @param {object} obj
     */
    send(obj) {
      return this.state.ready && this.socket.send(obj);
    }
    /** @param {ChatFrame} f */
    onFrame(f) {
      switch (f.type) {
        case "welcome":
          onWelcome(this, f);
          break;
        case "ack":
          onAck(this, f);
          break;
        case "message":
          onAgentMessage(this, f);
          break;
        case "queue":
          onQueue(this, f);
          break;
        case "assigned":
          onAssigned(this, f);
          break;
        case "typing":
          onAgentTyping(this, f);
          break;
        case "status":
          onStatus(this, f);
          break;
        case "error":
          onError(this, f);
          break;
        default:
          break;
      }
    }
    resendOutbox() {
      for (const item of outboxItems(this.store)) this.send({ type: "message", client_id: item.client_id, text: item.text });
    }
    /**
     * Send the outbox again in `ms` (rate limited): one timer, at the latest time asked for,
     * so a burst of refusals resends once.
     * @param {number} ms
     */
    resendAfter(ms) {
      const due = Date.now() + ms;
      if (this.resendTimer !== void 0 && this.resendDue >= due) return;
      clearTimeout(this.resendTimer);
      this.resendDue = due;
      this.resendTimer = setTimeout(() => {
        this.resendTimer = void 0;
        this.resendOutbox();
      }, ms);
    }
    clearNotice() {
      clearTimeout(this.state.noticeTimer);
      this.state.notice = "";
      this.render();
    }
    /** @param {string} text */
    showNotice(text) {
      const state = this.state;
      state.notice = text;
      clearTimeout(state.noticeTimer);
      state.noticeTimer = setTimeout(() => {
        state.notice = "";
        this.render();
      }, NOTICE_MS);
      this.render();
    }
    // ---------------------------------------------------------------- sending
    /** @param {Event} ev */
    onSubmit(ev) {
      ev.preventDefault();
      const state = this.state;
      const text = this.ui.input.value.trim();
      if (!text) return;
      const item = { client_id: uuid(), text, created_at: (/* @__PURE__ */ new Date()).toISOString() };
      outboxAdd(this.store, item);
      addPending(state, item);
      if (state.status === "resolved") {
        state.status = null;
        state.agentName = null;
      }
      this.ui.input.value = "";
      this.stopTyping();
      this.connect();
      this.send({ type: "message", client_id: item.client_id, text: item.text });
      this.render();
      scrollToBottom(this.ui);
    }
    onTyping() {
      const t = this.state.typingOut;
      const now = Date.now();
      if (!t.active || now - t.lastSent > TYPING_SEND_EVERY_MS) {
        if (this.send({ type: "typing", typing: true })) {
          t.active = true;
          t.lastSent = now;
        }
      }
      clearTimeout(t.idleTimer);
      t.idleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }
    stopTyping() {
      const t = this.state.typingOut;
      clearTimeout(t.idleTimer);
      if (t.active) this.send({ type: "typing", typing: false });
      t.active = false;
      t.lastSent = 0;
    }
  };

  // agents_ui/static/widget/widget.css
  var widget_default = "/*\n * The chat widget's styles, adopted into its shadow root (element.js): nothing here reaches\n * the host page, and the host page's rules do not reach in. Only inherited properties cross\n * the shadow boundary, through the host element, which a host page's `*` rule still styles:\n * .chw-root sets every inherited property that shows.\n */\n:host { all: initial; }\n*, *::before, *::after { box-sizing: border-box; margin: 0; padding: 0; }\nbutton, textarea { font: inherit; color: inherit; min-width: 0; }\n[hidden] { display: none !important; }\n\n.chw-root {\n  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; color: #1f2328;\n  font: normal normal 400 14px/1.4 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif;\n  text-align: left; text-indent: 0; text-transform: none; text-shadow: none; letter-spacing: normal;\n  word-spacing: normal; white-space: normal; direction: ltr; visibility: visible; cursor: auto;\n}\n.chw-launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; position: relative; margin-left: auto; }\n.chw-launcher:hover { background: #1d4ed8; }\n.chw-launcher:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }\n.chw-launcher svg { width: 26px; height: 26px; fill: #fff; }\n.chw-dot { position: absolute; top: 2px; right: 2px; min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px; background: #dc2626; color: #fff; font-size: 11px; font-weight: 700; line-height: 18px; text-align: center; }\n.chw-panel { width: 340px; max-width: calc(100vw - 40px); height: 480px; max-height: calc(100vh - 110px); margin-bottom: 12px; background: #fff; border: 1px solid #d0d7de; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.18); display: flex; flex-direction: column; overflow: hidden; }\n.chw-header { background: #2563eb; color: #fff; padding: 10px 14px; display: flex; align-items: center; gap: 8px; }\n.chw-title { font-weight: 600; font-size: 15px; flex: 1; color: #fff; }\n.chw-close { background: transparent; border: none; color: #fff; font-size: 20px; line-height: 1; cursor: pointer; padding: 2px 6px; border-radius: 4px; }\n.chw-close:hover { background: rgba(255,255,255,.15); }\n.chw-info { padding: 6px 14px; background: #f6f8fa; border-bottom: 1px solid #eaeef2; font-size: 13px; color: #57606a; min-height: 0; }\n.chw-info > div { font-size: 13px; }\n.chw-info > div + div { margin-top: 2px; }\n.chw-conn { color: #9a6700; }\n.chw-notice { color: #cf222e; }\n.chw-status { color: #1a7f37; }\n.chw-thread { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; background: #fff; }\n.chw-empty { color: #8c959f; text-align: center; margin-top: 40px; }\n.chw-msg { max-width: 80%; padding: 7px 10px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere; }\n.chw-msg-mine { align-self: flex-end; background: #2563eb; color: #fff; border-bottom-right-radius: 4px; }\n.chw-msg-agent { align-self: flex-start; background: #eef1f4; color: #1f2328; border-bottom-left-radius: 4px; }\n.chw-msg-system { align-self: center; background: transparent; color: #57606a; font-style: italic; }\n.chw-msg-pending { opacity: .65; }\n.chw-msg-failed { opacity: .65; text-decoration: line-through; }\n.chw-meta { display: block; font-size: 11px; opacity: .75; margin-top: 2px; }\n.chw-typing { padding: 0 14px 4px; font-size: 12px; color: #57606a; font-style: italic; min-height: 0; }\n.chw-form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #eaeef2; background: #fff; }\n.chw-input { flex: 1; resize: none; height: 40px; max-height: 120px; padding: 9px 10px; border: 1px solid #d0d7de; border-radius: 8px; background: #fff; color: #1f2328; }\n.chw-input:focus { outline: 2px solid #93c5fd; border-color: #2563eb; }\n.chw-send { border: none; background: #2563eb; color: #fff; border-radius: 8px; padding: 0 14px; font-weight: 600; cursor: pointer; }\n.chw-send:hover { background: #1d4ed8; }\n";

  // agents_ui/static/widget/element.js
  var TAG = "contacthub-chat";
  function adoptStyles(root) {
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(widget_default);
      root.adoptedStyleSheets = [sheet];
      return;
    }
    const style = document.createElement("style");
    style.textContent = widget_default;
    root.appendChild(style);
  }
  var ContactHubChat = class extends HTMLElement {
    constructor() {
      super();
      this.chat = null;
    }
    /** The hub when there is no `hub` attribute: this page's origin, unless defineChat says. */
    get defaultHub() {
      return location.origin;
    }
    connectedCallback() {
      if (this.chat) return;
      const root = this.shadowRoot || this.attachShadow({ mode: "open" });
      adoptStyles(root);
      const ui = buildUi(root);
      const origin = new URL(this.getAttribute("hub") || this.defaultHub, location.href).origin;
      const chat = new Chat(ui, origin.replace(/^http/, "ws") + "/ws/chat");
      this.chat = chat;
      ui.launcher.addEventListener("click", () => chat.toggle());
      ui.close.addEventListener("click", () => chat.setOpen(false));
      ui.form.addEventListener("submit", (ev) => chat.onSubmit(ev));
      ui.input.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
          ev.preventDefault();
          chat.onSubmit(ev);
        }
      });
      ui.input.addEventListener("input", () => chat.onTyping());
      ui.input.addEventListener("blur", () => chat.stopTyping());
      chat.boot();
    }
    open() {
      if (this.chat) this.chat.setOpen(true);
    }
    close() {
      if (this.chat) this.chat.setOpen(false);
    }
  };
  function defineChat(hub) {
    if (customElements.get(TAG)) return;
    customElements.define(TAG, class extends ContactHubChat {
      get defaultHub() {
        return hub;
      }
    });
  }

  // agents_ui/static/widget/main.js
  function ownScript() {
    const current = document.currentScript;
    if (current instanceof HTMLScriptElement && current.src) return current;
    const scripts = document.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#].*)?$/.test(scripts[i].src || "")) return scripts[i];
    }
    return null;
  }
  function install() {
    if (window.__contactHubWidget) return;
    window.__contactHubWidget = true;
    const script = ownScript();
    const hub = new URL(script && script.src ? script.src : "/", location.href).origin;
    defineChat(hub);
    const boot = () => {
      let widget = (
        /** @type {ContactHubChat | null} */
        document.querySelector(TAG)
      );
      if (!widget) {
        widget = /** @type {ContactHubChat} */
        document.createElement(TAG);
        widget.setAttribute("hub", hub);
        document.body.appendChild(widget);
      }
      const chat = widget;
      window.ContactHubWidget = { open: () => chat.open(), close: () => chat.close() };
    };
    if (document.body) boot();
    else document.addEventListener("DOMContentLoaded", boot);
  }
  install();
})();
