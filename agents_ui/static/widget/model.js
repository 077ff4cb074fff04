// @ts-check
/*
 * The widget's state and its message list. Each message shows once: bubbles are keyed by
 * message_id, and a pending bubble (keyed by client_id) merges into the committed one on ack.
 */

import { uuid } from '../common.js';

/** @import { OutboxItem } from './store.js' */

/**
 * @typedef {object} Bubble
 * @property {string} [key]
 * @property {string | null} message_id
 * @property {string | null} [client_id]
 * @property {boolean} mine written by the visitor
 * @property {string} author
 * @property {string | null} agent_name
 * @property {string} text
 * @property {string | null | undefined} created_at
 * @property {boolean} [pending] sent, not yet acked
 * @property {boolean} [failed] refused for what it is: never resent
 */

/**
 * @typedef {object} ChatState
 * @property {boolean} ready welcome received on the current socket
 * @property {boolean} started
 * @property {'connecting' | 'reconnecting'} link what the socket is doing while not ready
 * @property {boolean} open panel visible
 * @property {number} unread
 * @property {string | null} conversationId
 * @property {string | null} status pending | open | resolved | null
 * @property {string | null} agentName
 * @property {number | null} queuePosition
 * @property {boolean} agentTyping
 * @property {ReturnType<typeof setTimeout> | undefined} agentTypingTimer
 * @property {string} notice transient error text
 * @property {ReturnType<typeof setTimeout> | undefined} noticeTimer
 * @property {Bubble[]} messages in the order shown
 * @property {{ lastSent: number, idleTimer: ReturnType<typeof setTimeout> | undefined, active: boolean }} typingOut
 */

/** @returns {ChatState} */
export function createChatState() {
  return {
    ready: false,
    started: false,
    link: 'connecting',
    open: false,
    unread: 0,
    conversationId: null,
    status: null,
    agentName: null,
    queuePosition: null,
    agentTyping: false,
    agentTypingTimer: undefined,
    notice: '',
    noticeTimer: undefined,
    messages: [],
    typingOut: { lastSent: 0, idleTimer: undefined, active: false },
  };
}

/**
 * A message of the welcome's history.
 * @param {{ id?: string, message_id?: string, author?: string, direction?: string, agent_name?: string | null, text?: string | null, created_at?: string }} m
 * @returns {Bubble}
 */
export function fromHistory(m) {
  const mine = m.author === 'customer' || m.direction === 'in';
  return {
    message_id: m.id || m.message_id || null,
    mine,
    author: m.author || (mine ? 'customer' : 'agent'),
    agent_name: m.agent_name || null,
    text: m.text == null ? '' : String(m.text),
    created_at: m.created_at || null,
  };
}

/**
 * Add a committed message unless its id is already shown. Returns true if added.
 * @param {ChatState} state
 * @param {Bubble} m
 */
export function addCommitted(state, m) {
  if (m.message_id && state.messages.some((x) => x.message_id === m.message_id)) return false;
  m.key = 'm:' + (m.message_id || uuid());
  m.pending = false;
  insertByTime(state, m);
  return true;
}

/**
 * @param {ChatState} state
 * @param {OutboxItem} item
 */
export function addPending(state, item) {
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

/**
 * @param {ChatState} state
 * @param {Bubble} m
 */
function insertByTime(state, m) {
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
