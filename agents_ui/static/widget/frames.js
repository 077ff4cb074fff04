// @ts-check
/*
 * What each frame from /ws/chat does to the widget's state (docs/protocol.md, "Customer
 * socket"); chat.js dispatches them.
 */

import { addCommitted, addPending, fromHistory } from './model.js';
import { TOKEN_KEY, outboxItems, outboxRemove } from './store.js';
import { scrollToBottom } from './view.js';

/** @import { Chat } from './chat.js' */

const AGENT_TYPING_TTL_MS = 8000;
const RATE_NOTICE = 'Sending too fast \u2014 your messages will go in a moment.';

/**
 * The frames the hub sends a visitor; fields follow docs/protocol.md.
 * @typedef {object} ChatFrame
 * @property {string} type
 * @property {string} [visitor_token]
 * @property {string | null} [conversation_id]
 * @property {string | null} [status]
 * @property {string | null} [agent_name]
 * @property {Parameters<typeof fromHistory>[0][]} [history]
 * @property {string} [client_id]
 * @property {string} [message_id]
 * @property {string} [author]
 * @property {string | null} [text]
 * @property {string} [created_at]
 * @property {number} [position]
 * @property {boolean} [typing]
 * @property {string} [code]
 * @property {number} [retry_after] seconds, with code rate_limited
 */

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onWelcome(chat, f) {
  const state = chat.state;
  if (f.visitor_token) chat.store.set(TOKEN_KEY, f.visitor_token);
  state.ready = true;
  chat.socket.resetBackoff();
  if (f.conversation_id && f.conversation_id !== state.conversationId) state.queuePosition = null;
  state.conversationId = f.conversation_id || null;
  state.status = f.status || null;
  state.agentName = f.agent_name || null;
  if (state.status !== 'pending') state.queuePosition = null;
  for (const m of f.history || []) addCommitted(state, fromHistory(m));
  // Re-send everything not yet acked; same client_id, so the hub stores each once.
  for (const item of outboxItems(chat.store)) {
    addPending(state, item);
    chat.send({ type: 'message', client_id: item.client_id, text: item.text });
  }
  chat.render();
  scrollToBottom(chat.ui);
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onAck(chat, f) {
  const state = chat.state;
  if (f.client_id) outboxRemove(chat.store, f.client_id);
  // Everything waiting out a rate limit went through: the notice has nothing left to say.
  if (state.notice === RATE_NOTICE && !outboxItems(chat.store).length) chat.clearNotice();
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
  chat.render();
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onAgentMessage(chat, f) {
  const state = chat.state;
  const isNew = addCommitted(state, {
    message_id: f.message_id || null,
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
  chat.render();
  scrollToBottom(chat.ui);
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onQueue(chat, f) {
  const state = chat.state;
  if (f.conversation_id) state.conversationId = f.conversation_id;
  state.queuePosition = typeof f.position === 'number' ? f.position : null;
  // Queue updates mean nobody is assigned (again, e.g. after a transfer to a queue).
  state.status = 'pending';
  state.agentName = null;
  chat.render();
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onAssigned(chat, f) {
  const state = chat.state;
  if (f.conversation_id) state.conversationId = f.conversation_id;
  state.agentName = f.agent_name || state.agentName;
  state.status = 'open';
  state.queuePosition = null;
  chat.render();
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onAgentTyping(chat, f) {
  const state = chat.state;
  state.agentTyping = !!f.typing;
  if (f.agent_name) state.agentName = f.agent_name;
  clearTimeout(state.agentTypingTimer);
  // Never leave "is typing" on if the stop frame got lost.
  if (state.agentTyping) {
    state.agentTypingTimer = setTimeout(() => { state.agentTyping = false; chat.render(); }, AGENT_TYPING_TTL_MS);
  }
  chat.render();
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onStatus(chat, f) {
  const state = chat.state;
  if (f.conversation_id && state.conversationId && f.conversation_id !== state.conversationId) return;
  state.status = f.status || state.status;
  if (state.status === 'resolved') {
    state.queuePosition = null;
    state.agentTyping = false;
  }
  chat.render();
}

/**
 * @param {Chat} chat
 * @param {ChatFrame} f
 */
export function onError(chat, f) {
  if (f.code === 'auth') return; // the socket closes and we reconnect with a fresh hello
  if (f.code === 'rate_limited') {
    // Refused before anything was stored; the message stays pending and goes again (same
    // client_id) once the hub says it may.
    const seconds = typeof f.retry_after === 'number' && f.retry_after > 0 ? f.retry_after : 5;
    chat.resendAfter(seconds * 1000);
    chat.showNotice(RATE_NOTICE);
    return;
  }
  if (f.client_id && (f.code === 'too_large' || f.code === 'bad_frame')) {
    // Rejected for what it is, not for a passing fault: resending would fail forever.
    outboxRemove(chat.store, f.client_id);
    const rejected = chat.state.messages.find((m) => m.client_id === f.client_id);
    if (rejected) { rejected.pending = false; rejected.failed = true; }
  }
  chat.showNotice(f.code === 'unavailable' ? 'Having trouble sending \u2014 we will keep trying.'
    : f.code === 'too_large' ? 'That message is too long.'
      : 'Something went wrong (' + (f.code || 'error') + ').');
  if (f.code === 'unavailable') chat.resendAfter(3000);
}
