// @ts-check
/*
 * The supervisor's tables. Snapshots arrive up to four times a second, so tables are
 * reconciled row by row (keyed by queue name / agent id / conversation id) instead of being
 * rebuilt: that keeps an open Reassign dropdown and its selection intact while the numbers
 * around it change. All text goes in through textContent.
 */

import { clear, el, fmtMmSs, fmtTime } from '../common.js';
import { reassignControls, renderReassignOptions } from './reassign.js';

/**
 * @import { AgentStats, Conversation, MailboxStats, QueueStats } from '../protocol.js'
 */

/**
 * When the shown snapshot arrived: wait times tick on from there while it is fresh.
 * @typedef {{ stale: boolean, receivedAt: number }} Clock
 */

/**
 * Make `tbody` hold one row per item, in order, reusing rows by key.
 * build(item) creates a row; update(row, item) refreshes it in place.
 * @template T
 * @param {HTMLElement} tbody
 * @param {T[]} items
 * @param {(item: T) => string} keyOf
 * @param {(item: T) => HTMLTableRowElement} build
 * @param {(row: HTMLTableRowElement, item: T) => void} update
 */
function reconcile(tbody, items, keyOf, build, update) {
  /** @type {Map<string | undefined, HTMLTableRowElement>} */
  const existing = new Map();
  for (const row of /** @type {HTMLTableRowElement[]} */ (Array.from(tbody.children))) existing.set(row.dataset.key, row);
  let cursor = tbody.firstChild;
  for (const item of items) {
    const key = String(keyOf(item));
    let row = existing.get(key);
    if (row) existing.delete(key);
    else { row = build(item); row.dataset.key = key; }
    update(row, item);
    if (row !== cursor) tbody.insertBefore(row, cursor);
    else cursor = cursor.nextSibling;
  }
  for (const row of existing.values()) tbody.removeChild(row);
}

/**
 * @param {Element} node
 * @param {unknown} text
 */
function setText(node, text) {
  const t = text == null ? '' : String(text);
  if (node.textContent !== t) node.textContent = t;
}

/**
 * The row's cells, and the first element inside a cell.
 * @param {HTMLTableRowElement} row
 */
function cells(row) {
  return row.cells;
}

/** @param {Element} cell */
function inner(cell) {
  return /** @type {HTMLElement} */ (cell.children[0]);
}

// ---------------------------------------------------------------- queues

/**
 * @param {HTMLElement} tbody
 * @param {QueueStats[]} queues
 * @param {Clock} clock
 */
export function renderQueues(tbody, queues, clock) {
  reconcile(tbody, queues, (q) => q.name, buildQueueRow, (row, q) => updateQueueRow(row, q, clock));
}

/** @param {QueueStats} q */
function buildQueueRow(q) {
  return el('tr', { testid: 'queue-row', attrs: { 'data-queue': q.name } },
    el('td', { class: 'strong' }),
    el('td', { class: 'num', attrs: { 'data-field': 'waiting' } }),
    el('td', { class: 'num', attrs: { 'data-field': 'longest-wait' } }),
    el('td', { class: 'num', attrs: { 'data-field': 'service-level' } }),
    el('td', { class: 'num muted', attrs: { 'data-field': 'answered' } }));
}

/**
 * @param {HTMLTableRowElement} row
 * @param {QueueStats} q
 * @param {Clock} clock
 */
function updateQueueRow(row, q, clock) {
  const c = cells(row);
  setText(c[0], q.name);
  setText(c[1], q.waiting);
  row.dataset.waiting = String(q.waiting || 0);
  row.dataset.longest = String(q.longest_wait_seconds || 0);
  updateWaitCell(row, clock);
  const target = q.service_level_seconds;
  const pct = serviceLevelPct(q);
  setText(c[3], (pct === null ? '—' : pct + '%') + (target != null ? ' (target ' + target + 's)' : ''));
  c[3].classList.toggle('sl-bad', pct !== null && pct < 80);
  c[3].classList.toggle('sl-good', pct !== null && pct >= 80);
  const late = q.waiting_past_target || 0;
  setText(c[4], q.answered != null
    ? (q.answered_within_target || 0) + ' / ' + q.answered + (late ? ' · ' + late + ' waiting past target' : '')
    : '—');
}

/**
 * The hub's figure (0–100, docs/protocol.md): answered within target over answered plus
 * those still waiting past it, so it drops while a customer waits too long. Derived from
 * the counts only when an older hub leaves it out.
 * @param {QueueStats} q
 */
function serviceLevelPct(q) {
  if (q.service_level_pct != null) return Math.round(Number(q.service_level_pct));
  const counted = (q.answered || 0) + (q.waiting_past_target || 0);
  if (!counted || q.answered_within_target == null) return null;
  return Math.round((100 * q.answered_within_target) / counted);
}

/**
 * Longest wait keeps counting up between snapshots while someone is waiting.
 * @param {HTMLTableRowElement} row
 * @param {Clock} clock
 */
function updateWaitCell(row, clock) {
  const waiting = Number(row.dataset.waiting) || 0;
  const base = Number(row.dataset.longest) || 0;
  const elapsed = clock.stale ? 0 : (performance.now() - clock.receivedAt) / 1000;
  const cell = row.cells[2];
  setText(cell, waiting > 0 ? fmtMmSs(base + elapsed) : '00:00');
  cell.classList.toggle('waiting', waiting > 0);
}

/**
 * @param {HTMLElement} tbody the queue rows
 * @param {Clock} clock
 */
export function tickQueues(tbody, clock) {
  if (clock.stale) return;
  for (const row of /** @type {HTMLTableRowElement[]} */ (Array.from(tbody.children))) updateWaitCell(row, clock);
}

// ---------------------------------------------------------------- agents

/**
 * @param {HTMLElement} tbody
 * @param {AgentStats[]} agents
 */
export function renderAgents(tbody, agents) {
  reconcile(tbody, agents, (a) => a.id, buildAgentRow, updateAgentRow);
}

/** @param {AgentStats} a */
function buildAgentRow(a) {
  return el('tr', { testid: 'agent-row', attrs: { 'data-agent-id': a.id } },
    el('td', {}, el('span', { class: 'strong' }), el('span', { class: 'muted small role' })),
    el('td', {}, el('span', { class: 'badge', testid: 'agent-status' })),
    el('td', { class: 'load' }),
    el('td', { class: 'num' }));
}

/**
 * @param {HTMLTableRowElement} row
 * @param {AgentStats} a
 */
function updateAgentRow(row, a) {
  const c = cells(row);
  setText(c[0].children[0], a.name);
  setText(c[0].children[1], a.role && a.role !== 'agent' ? ' ' + a.role : '');
  const badge = inner(c[1]);
  setText(badge, a.status || 'unknown');
  badge.className = 'badge status-' + (a.status || 'unknown');
  badge.setAttribute('data-status', a.status || '');
  row.dataset.status = a.status || '';
  renderLoad(c[2], a.load || {}, a.capacity || {});
  setText(c[3], (a.conversations || []).length);
}

/**
 * @param {HTMLElement} cell
 * @param {Record<string, number>} load
 * @param {Record<string, number>} capacity
 */
function renderLoad(cell, load, capacity) {
  const channels = Array.from(new Set(Object.keys(capacity).concat(Object.keys(load)))).sort();
  const signature = JSON.stringify(channels.map((ch) => [ch, load[ch] || 0, capacity[ch] || 0]));
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  clear(cell);
  if (!channels.length) { cell.appendChild(el('span', { class: 'muted', text: '—' })); return; }
  for (const ch of channels) {
    const used = load[ch] || 0;
    const cap = capacity[ch] || 0;
    cell.appendChild(el('span', {
      class: 'load-chip' + (cap && used >= cap ? ' full' : ''),
      attrs: { 'data-channel': ch },
      text: ch + ' ' + used + '/' + cap,
    }));
  }
}

// ---------------------------------------------------------------- conversations

/** @import { OnReassign } from './reassign.js' */
/**
 * @param {HTMLElement} tbody
 * @param {Conversation[]} conversations
 * @param {AgentStats[]} agents
 * @param {OnReassign} onReassign
 */
export function renderConversations(tbody, conversations, agents, onReassign) {
  const list = conversations.slice().sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  reconcile(tbody, list, (c) => c.id, (conv) => buildConversationRow(conv, onReassign),
    (row, c) => updateConversationRow(row, c, agents));
  return list.length;
}

/**
 * @param {Conversation} conv
 * @param {OnReassign} onReassign
 */
function buildConversationRow(conv, onReassign) {
  return el('tr', { testid: 'conversation-row', attrs: { 'data-conversation-id': conv.id } },
    el('td', { class: 'strong' }),
    el('td', {}),
    el('td', {}),
    el('td', {}, el('span', { class: 'badge' })),
    el('td', {}),
    el('td', { class: 'muted' }),
    el('td', {}, ...reassignControls(conv.id, onReassign)));
}

/**
 * @param {HTMLTableRowElement} row
 * @param {Conversation} conv
 * @param {AgentStats[]} agents
 */
function updateConversationRow(row, conv, agents) {
  const c = cells(row);
  setText(c[0], conv.customer_name || 'Customer');
  setText(c[1], conv.channel);
  setText(c[2], conv.queue);
  const badge = inner(c[3]);
  setText(badge, conv.status);
  badge.className = 'badge conv-' + conv.status;
  setText(c[4], assigneeText(conv, agents));
  setText(c[5], fmtTime(conv.created_at));
  row.dataset.status = conv.status || '';
  const select = /** @type {HTMLSelectElement} */ (c[6].querySelector('select'));
  renderReassignOptions(select, conv, agents);
}

/**
 * Who has it, or whom it waits for: a waiting conversation pinned to an agent is offered to
 * nobody else until they take it or the pin runs out.
 * @param {Conversation} conv
 * @param {AgentStats[]} agents
 */
function assigneeText(conv, agents) {
  if (conv.assignee_name) return conv.assignee_name;
  if (conv.status === 'pending' && conv.target_agent_id) {
    const target = agents.find((a) => a.id === conv.target_agent_id);
    const who = target ? target.name + (target.status === 'available' ? '' : ' (' + target.status + ')') : 'an agent';
    return 'waiting for ' + who;
  }
  return '—';
}

// ---------------------------------------------------------------- mailboxes

/**
 * Email mailboxes this hub process polls, with their IMAP connection state.
 * @param {HTMLElement} tbody
 * @param {MailboxStats[]} mailboxes
 */
export function renderMailboxes(tbody, mailboxes) {
  reconcile(tbody, mailboxes, (m) => m.name, (m) => el('tr', {
    testid: 'mailbox-row', attrs: { 'data-mailbox': m.name },
  }, el('td'), el('td', {}, el('span', { class: 'badge', testid: 'mailbox-connection' })),
  el('td', { class: 'num' }), el('td', { class: 'num' }), el('td'), el('td', { class: 'muted small' })),
  (row, m) => {
    const c = cells(row);
    setText(c[0], m.name + ' (' + m.address + ')');
    setText(inner(c[1]), m.connection);
    inner(c[1]).setAttribute('data-connection', m.connection);
    setText(c[2], m.imported);
    setText(c[3], m.last_uid);
    setText(c[4], m.last_sync_at ? fmtTime(m.last_sync_at) : '');
    setText(c[5], m.last_error || '');
  });
}
