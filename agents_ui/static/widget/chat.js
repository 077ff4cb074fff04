// @ts-check
/*
 * The conversation behind the widget: the customer socket /ws/chat (docs/protocol.md,
 * "Customer socket"), its frames, and sending.
 *
 * Every outgoing message gets a client_id and sits in the stored outbox until its `ack`;
 * after any reconnect (or page reload) the outbox is sent again with the same ids and the
 * server dedupes.
 */

import { ReconnectingSocket, uuid } from '../common.js';
import { onAck, onAgentMessage, onAgentTyping, onAssigned, onError, onQueue, onStatus, onWelcome } from './frames.js';
import { addPending, createChatState } from './model.js';
import { TOKEN_KEY, createStore, outboxAdd, outboxItems } from './store.js';
import { render, scrollToBottom, showPanel } from './view.js';

/**
 * @import { ChatFrame } from './frames.js'
 * @import { WidgetUi } from './view.js'
 */

const PING_EVERY_MS = 25000;
const SILENCE_LIMIT_MS = 60000;
const TYPING_SEND_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
const NOTICE_MS = 8000;

export class Chat {
  /**
   * @param {WidgetUi} ui
   * @param {string} wsUrl the hub's /ws/chat
   */
  constructor(ui, wsUrl) {
    this.ui = ui;
    this.state = createChatState();
    this.store = createStore();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.resendTimer = undefined;
    this.resendDue = 0;
    this.socket = new ReconnectingSocket(() => wsUrl, {
      onOpen: () => this.hello(),
      onFrame: (f) => this.onFrame(/** @type {ChatFrame} */ (f)),
      onClose: () => {
        this.state.ready = false;
        this.state.typingOut.active = false;
      },
      onState: (link) => { this.state.link = link; this.render(); },
    }, { pingEveryMs: PING_EVERY_MS, silenceLimitMs: SILENCE_LIMIT_MS });
  }

  /** Show what is queued, and reconnect at once for a returning visitor. */
  boot() {
    const queued = outboxItems(this.store);
    for (const item of queued) addPending(this.state, item);
    this.render();
    // A returning visitor (or one with unsent messages) reconnects at once so agent replies
    // and the outbox flow without opening the panel. A brand-new visitor connects only when
    // they open the chat, and is a customer on the hub only from their first message.
    if (this.store.get(TOKEN_KEY) || queued.length) this.connect();
  }

  render() { render(this.ui, this.state); }

  // ---------------------------------------------------------------- panel

  toggle() { this.setOpen(!this.state.open); }

  /** @param {boolean} open */
  setOpen(open) {
    this.state.open = open;
    showPanel(this.ui, open);
    if (open) {
      this.state.unread = 0;
      this.connect(); // a brand-new visitor gets their token now (the hub stores nothing yet)
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
    /** @type {{ type: 'hello', visitor_token?: string, name?: string, email?: string }} */
    const hello = { type: 'hello' };
    const token = this.store.get(TOKEN_KEY);
    if (token) hello.visitor_token = token;
    const host = window.ContactHub || {};
    if (typeof host.name === 'string' && host.name) hello.name = host.name;
    if (typeof host.email === 'string' && host.email) hello.email = host.email;
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
      case 'welcome': onWelcome(this, f); break;
      case 'ack': onAck(this, f); break;
      case 'message': onAgentMessage(this, f); break;
      case 'queue': onQueue(this, f); break;
      case 'assigned': onAssigned(this, f); break;
      case 'typing': onAgentTyping(this, f); break;
      case 'status': onStatus(this, f); break;
      case 'error': onError(this, f); break;
      default: break; // pong and future frame types
    }
  }

  resendOutbox() {
    for (const item of outboxItems(this.store)) this.send({ type: 'message', client_id: item.client_id, text: item.text });
  }

  /**
   * Send the outbox again in `ms` (rate limited): one timer, at the latest time asked for,
   * so a burst of refusals resends once.
   * @param {number} ms
   */
  resendAfter(ms) {
    const due = Date.now() + ms;
    if (this.resendTimer !== undefined && this.resendDue >= due) return;
    clearTimeout(this.resendTimer);
    this.resendDue = due;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      this.resendOutbox();
    }, ms);
  }

  clearNotice() {
    clearTimeout(this.state.noticeTimer);
    this.state.notice = '';
    this.render();
  }

  /** @param {string} text */
  showNotice(text) {
    const state = this.state;
    state.notice = text;
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => { state.notice = ''; this.render(); }, NOTICE_MS);
    this.render();
  }

  // ---------------------------------------------------------------- sending

  /** @param {Event} ev */
  onSubmit(ev) {
    ev.preventDefault();
    const state = this.state;
    const text = this.ui.input.value.trim();
    if (!text) return;
    const item = { client_id: uuid(), text, created_at: new Date().toISOString() };
    outboxAdd(this.store, item); // before sending: a reload right now must not lose it
    addPending(state, item);
    if (state.status === 'resolved') {
      // The hub opens a new conversation with this message.
      state.status = null;
      state.agentName = null;
    }
    this.ui.input.value = '';
    this.stopTyping();
    this.connect();
    this.send({ type: 'message', client_id: item.client_id, text: item.text });
    this.render();
    scrollToBottom(this.ui);
  }

  onTyping() {
    const t = this.state.typingOut;
    const now = Date.now();
    if (!t.active || now - t.lastSent > TYPING_SEND_EVERY_MS) {
      if (this.send({ type: 'typing', typing: true })) {
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
    if (t.active) this.send({ type: 'typing', typing: false });
    t.active = false;
    t.lastSent = 0;
  }
}
