// @ts-check
/*
 * The widget's DOM inside its shadow root: built once, then rendered from the state. All
 * text goes in through textContent; there are no markup strings anywhere.
 */

import { clear, el } from '../common.js';

/** @import { Bubble, ChatState } from './model.js' */

/**
 * The speech-bubble icon, built with DOM APIs.
 * @returns {SVGSVGElement}
 */
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

/**
 * Build the launcher and the (hidden) panel into `root`.
 * @param {ShadowRoot} root
 */
export function buildUi(root) {
  const close = el('button', { class: 'chw-close', text: '\u00d7', testid: 'chat-close', attrs: { type: 'button', 'aria-label': 'Close chat' } });
  const conn = el('div', { class: 'chw-conn', testid: 'chat-connection' });
  const agent = el('div', { class: 'chw-agent', testid: 'chat-agent' });
  const queue = el('div', { class: 'chw-queue', testid: 'chat-queue' });
  const status = el('div', { class: 'chw-status', testid: 'chat-status' });
  const notice = el('div', { class: 'chw-notice', testid: 'chat-notice' });
  const info = el('div', { class: 'chw-info' }, conn, agent, queue, status, notice);
  const thread = el('div', { class: 'chw-thread', testid: 'chat-thread', attrs: { 'aria-live': 'polite' } });
  const typing = el('div', { class: 'chw-typing', testid: 'chat-typing' });
  const input = el('textarea', {
    class: 'chw-input', testid: 'chat-input', attrs: { rows: '1', placeholder: 'Type a message\u2026', 'aria-label': 'Message' },
  });
  const send = el('button', { class: 'chw-send', text: 'Send', testid: 'chat-send', attrs: { type: 'submit' } });
  const form = el('form', { class: 'chw-form' }, input, send);
  const panel = el('div', { class: 'chw-panel', testid: 'chat-panel', attrs: { role: 'dialog', 'aria-label': 'Chat' } },
    el('div', { class: 'chw-header' }, el('div', { class: 'chw-title', text: 'Chat with us' }), close),
    info, thread, typing, form);
  panel.hidden = true;
  const dot = el('span', { class: 'chw-dot', testid: 'chat-unread' });
  dot.hidden = true;
  const launcher = el('button', {
    class: 'chw-launcher', testid: 'chat-launcher', attrs: { type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false' },
  }, launcherIcon(), dot);
  root.appendChild(el('div', { class: 'chw-root' }, panel, launcher));
  return { panel, close, info, conn, agent, queue, status, notice, thread, typing, form, input, send, launcher, dot };
}

/** @typedef {ReturnType<typeof buildUi>} WidgetUi */

/**
 * @param {WidgetUi} ui
 * @param {boolean} open
 */
export function showPanel(ui, open) {
  ui.panel.hidden = !open;
  ui.launcher.setAttribute('aria-expanded', String(open));
  ui.launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
}

/**
 * @param {WidgetUi} ui
 * @param {ChatState} state
 */
export function render(ui, state) {
  ui.dot.hidden = state.open || state.unread === 0;
  ui.dot.textContent = state.unread > 9 ? '9+' : String(state.unread);

  setLine(ui.conn, !state.started || state.ready ? '' : state.link === 'connecting' ? 'Connecting\u2026' : 'Reconnecting\u2026');
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
  renderThread(ui, state);
}

/**
 * @param {HTMLElement} node
 * @param {string} text
 */
function setLine(node, text) {
  if (node.textContent !== text) node.textContent = text;
  node.hidden = !text;
}

/**
 * @param {WidgetUi} ui
 * @param {ChatState} state
 */
function renderThread(ui, state) {
  const frag = document.createDocumentFragment();
  if (!state.messages.length) {
    frag.appendChild(el('div', { class: 'chw-empty', text: 'Hi! How can we help you today?' }));
  }
  for (const m of state.messages) frag.appendChild(buildBubble(m));
  clear(ui.thread);
  ui.thread.appendChild(frag);
}

/** @param {Bubble} m */
function buildBubble(m) {
  const kind = m.mine ? 'mine' : m.author === 'system' ? 'system' : 'agent';
  const look = m.failed ? ' chw-msg-failed' : m.pending ? ' chw-msg-pending' : '';
  const meta = [];
  if (!m.mine && kind === 'agent' && m.agent_name) meta.push(m.agent_name);
  if (m.pending) meta.push('sending\u2026');
  else if (m.created_at) meta.push(shortTime(m.created_at));
  return el('div', {
    class: 'chw-msg chw-msg-' + kind + look,
    testid: 'chat-message',
    attrs: { 'data-state': m.failed ? 'failed' : m.pending ? 'pending' : 'sent', 'data-author': m.mine ? 'customer' : m.author },
  },
  el('span', { class: 'chw-text', text: m.text }),
  meta.length ? el('span', { class: 'chw-meta', text: meta.join(' \u00b7 ') }) : null);
}

/** @param {string} iso */
function shortTime(iso) {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** @param {WidgetUi} ui */
export function scrollToBottom(ui) {
  ui.thread.scrollTop = ui.thread.scrollHeight;
}
