// @ts-check
/*
 * Rendering the inbox (inbox.js holds the data): the view tabs with their counts, the
 * status counts, the filter pickers' options and the rows. Customer text only ever goes in
 * through textContent.
 */

import { clear, el } from '../common.js';

/**
 * @import { Ctx } from './context.js'
 * @import { InboxRow } from './state.js'
 */

const CHANNELS = /** @type {Record<string, string>} */ ({ webchat: 'Chat', email: 'Email', sms: 'SMS', voice: 'Voice' });
const PRIORITIES = /** @type {Record<string, string>} */ ({ '2': 'Urgent', '1': 'High', '0': 'Normal', '-1': 'Low' });
const STATUS_NAMES = /** @type {Record<string, string>} */ ({ open: 'Open', pending: 'Pending', snoozed: 'Snoozed', resolved: 'Resolved' });

/** @param {number | undefined} p */
export function priorityName(p) {
  return PRIORITIES[String(p || 0)] || (Number(p) > 0 ? 'Urgent' : 'Low');
}

/** @param {string | undefined} channel */
export function channelName(channel) {
  return CHANNELS[channel || ''] || channel || '';
}

/**
 * "now", "5m", "3h", "2d", then the date: how long ago, at a glance.
 * @param {string | null | undefined} iso
 */
export function relativeTime(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  if (isNaN(t)) return '';
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return 'now';
  if (s < 3600) return Math.floor(s / 60) + 'm';
  if (s < 86400) return Math.floor(s / 3600) + 'h';
  if (s < 7 * 86400) return Math.floor(s / 86400) + 'd';
  return new Date(t).toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** @param {Ctx} ctx */
export function renderInboxViews(ctx) {
  const { S, dom } = ctx;
  const isSupervisor = !!S.me && (S.me.role === 'supervisor' || S.me.role === 'admin');
  const counts = S.inbox.viewCounts || {};
  /** @type {[string, string, boolean][]} */
  const tabs = [['mine', 'Mine', false], ['unassigned', 'Unassigned', false],
    ['all', isSupervisor ? 'All' : 'All my queues', false]];
  for (const v of S.inbox.views) tabs.push([v.id, v.name, v.shared]);
  clear(dom.inboxViews);
  for (const [id, name, shared] of tabs) {
    const on = S.inbox.view === id;
    dom.inboxViews.appendChild(el('button', {
      class: 'view-tab' + (on ? ' active' : ''), testid: 'inbox-view',
      title: shared ? 'Shared view' : undefined,
      attrs: { type: 'button', role: 'tab', 'aria-selected': String(on), 'data-view': id },
      on: { click: () => ctx.ui.setView(id) },
    }, name, counts[id] ? el('span', { class: 'view-count', text: String(counts[id]) }) : null));
  }
}

/**
 * The queue and label pickers list what exists (the directory and GET /api/v1/labels).
 * @param {Ctx} ctx
 */
export function renderFilterOptions(ctx) {
  const { S, dom } = ctx;
  fillOptions(dom.filterQueue, 'Queue', S.directory.queues.map((q) => q.name));
  fillOptions(dom.filterLabel, 'Label', S.labels.map((l) => l.name));
}

/**
 * @param {HTMLSelectElement} sel
 * @param {string} any
 * @param {string[]} names
 */
function fillOptions(sel, any, names) {
  const signature = names.join('\n');
  if (sel.dataset.signature === signature) return;
  sel.dataset.signature = signature;
  const keep = sel.value;
  clear(sel);
  sel.appendChild(el('option', { text: any, attrs: { value: '' } }));
  for (const n of names) sel.appendChild(el('option', { text: n, attrs: { value: n } }));
  sel.value = names.includes(keep) ? keep : '';
}

/**
 * The pickers show the filters in force (a new view clears them).
 * @param {Ctx} ctx
 */
function syncPickers(ctx) {
  const { dom, S } = ctx;
  const f = S.inbox.filters;
  /** @type {[HTMLSelectElement, string | undefined][]} */
  const pickers = [[dom.filterStatus, f.status], [dom.filterChannel, f.channel], [dom.filterQueue, f.queue],
    [dom.filterLabel, f.label], [dom.filterPriority, f.priority]];
  for (const [sel, value] of pickers) {
    if (document.activeElement !== sel) sel.value = value || '';
    sel.classList.toggle('set', !!sel.value);
  }
}

/** @param {Ctx} ctx */
export function renderInbox(ctx) {
  const { S, dom } = ctx;
  const { inbox } = S;
  renderInboxViews(ctx);
  syncPickers(ctx);
  renderCounts(ctx);
  clear(dom.inboxList);
  for (const row of inbox.rows) dom.inboxList.appendChild(buildRow(ctx, row));
  dom.inboxEmpty.hidden = inbox.rows.length > 0 || inbox.loading;
  dom.inboxMore.hidden = !inbox.cursor;
  dom.inboxMore.disabled = inbox.loading;
  dom.inboxMore.textContent = inbox.loading ? 'Loading…' : 'Load more';
}

/** @param {Ctx} ctx */
function renderCounts(ctx) {
  const { S, dom } = ctx;
  const counts = S.inbox.counts;
  clear(dom.inboxCounts);
  if (!counts) return;
  const current = S.inbox.filters.status || '';
  const q = S.inbox.filters.q;
  // The search box's text filters the list too: say so, with a way out.
  if (q) {
    dom.inboxCounts.appendChild(el('button', {
      class: 'count-chip active', testid: 'inbox-query', title: 'Clear the search',
      attrs: { type: 'button' }, on: { click: () => ctx.ui.clearSearch() },
    }, 'Matching “' + q + '” ×'));
  }
  let total = 0;
  for (const status of Object.keys(STATUS_NAMES)) {
    const n = counts[status] || 0;
    total += status === 'resolved' ? 0 : n;
    const on = current === status;
    dom.inboxCounts.appendChild(el('button', {
      class: 'count-chip status-chip-' + status + (on ? ' active' : ''), testid: 'inbox-count',
      title: on ? 'Show every status' : 'Show only ' + STATUS_NAMES[status].toLowerCase(),
      attrs: { type: 'button', 'data-status': status, 'aria-pressed': String(on) },
      on: {
        click: () => {
          dom.filterStatus.value = on ? '' : status;
          dom.filterStatus.dispatchEvent(new Event('change'));
        },
      },
    }, STATUS_NAMES[status] + ' ', el('strong', { text: String(n) })));
  }
  dom.inboxTotal.textContent = total ? String(total) : '';
}

/**
 * @param {Ctx} ctx
 * @param {InboxRow} row
 */
function buildRow(ctx, row) {
  const { S } = ctx;
  const conv = row;
  const shownId = S.past ? S.past.conv.id : S.selectedId;
  const selected = conv.id === shownId;
  const who = !conv.assignee_id ? 'Unassigned' : S.me && conv.assignee_id === S.me.id ? 'You' : (conv.assignee_name || 'An agent');
  const priority = conv.priority || 0;
  const preview = row.last_message ? (row.last_message.direction === 'out' ? 'You: ' : '') + row.last_message.text : (conv.subject || '');
  const open = () => ctx.ui.openPast(conv.id);
  return el('li', {
    class: 'conv-item inbox-item' + (selected ? ' selected' : '') + (conv.status === 'resolved' ? ' resolved' : ''),
    testid: 'inbox-item',
    attrs: {
      'data-conversation-id': conv.id, 'data-status': conv.status || '', tabindex: '0', role: 'button',
      'aria-current': selected ? 'true' : null,
    },
    on: { click: open, keydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } } },
  },
  el('div', { class: 'conv-item-top' },
    el('span', { class: 'channel-chip', text: channelName(conv.channel), attrs: { 'data-channel': conv.channel || '' } }),
    el('span', { class: 'conv-name', text: conv.customer_name || 'Customer' }),
    priority ? el('span', { class: 'tag priority-' + (priority > 0 ? 'high' : 'low'), testid: 'row-priority', text: priorityName(priority) }) : null,
    el('time', { class: 'row-time muted', text: relativeTime(row.last_activity_at), attrs: { datetime: row.last_activity_at } })),
  el('div', { class: 'conv-item-meta muted' },
    el('span', { text: [conv.queue, who].filter(Boolean).join(' · ') }),
    el('span', { class: 'tag status-tag conv-' + (conv.status || ''), text: conv.status || '' })),
  row.labels && row.labels.length ? el('div', { class: 'row-labels' },
    ...row.labels.map((l) => el('span', { class: 'chip', testid: 'row-label', text: l }))) : null,
  preview ? el('div', { class: 'conv-item-preview', text: preview }) : null);
}
