// @ts-check
/*
 * The open conversation's tools, drawn from the state (conv-tools.js does what they do):
 * on one of the agent's own, the labels (chips, and a picker of the labels not on it yet),
 * the priority, snooze with its "until" chip and Reopen on a resolved one; on anyone
 * else's, read-only, "Take" for an agent and "Assign to…" for a supervisor.
 */

import { clear, el, fmtTime } from '../common.js';

/**
 * @import { Ctx } from './context.js'
 * @import { ConvState } from './state.js'
 */

/** @param {Ctx} ctx */
export function isSupervisor(ctx) {
  const role = ctx.S.me && ctx.S.me.role;
  return role === 'supervisor' || role === 'admin';
}

/**
 * @param {Ctx} ctx
 * @param {ConvState} c
 * @param {boolean} past shown read-only (not the agent's)
 */
export function renderTools(ctx, c, past) {
  const { dom } = ctx;
  dom.convTools.hidden = past;
  renderReadOnlyActions(ctx, c, past);
  if (past) return;
  const conv = c.conv;
  const resolved = conv.status === 'resolved';
  const labels = ctx.S.labelsOf.get(conv.id) || [];
  clear(dom.labelChips);
  for (const name of labels) {
    dom.labelChips.appendChild(el('span', { class: 'chip', testid: 'label-chip', attrs: { 'data-label': name } },
      name,
      resolved ? null : el('button', {
        class: 'chip-remove', text: '×', title: 'Remove ' + name, testid: 'label-remove',
        attrs: { type: 'button', 'aria-label': 'Remove label ' + name },
        on: { click: () => ctx.ui.setLabels(conv.id, labels.filter((l) => l !== name)) },
      })));
  }
  const add = dom.labelAdd;
  const free = ctx.S.labels.map((l) => l.name).filter((n) => !labels.includes(n));
  // Rebuilding the options closes an open picker: only when they change.
  if (add.dataset.signature !== free.join('\n')) {
    add.dataset.signature = free.join('\n');
    clear(add);
    add.appendChild(el('option', { text: '+ Label', attrs: { value: '' } }));
    for (const n of free) add.appendChild(el('option', { text: n, attrs: { value: n } }));
  }
  add.value = '';
  add.hidden = resolved || !free.length;
  if (document.activeElement !== dom.priority) dom.priority.value = String(Math.max(-1, Math.min(2, conv.priority || 0)));
  dom.priority.disabled = resolved;
  const snoozed = conv.status === 'snoozed' && !!conv.snoozed_until;
  dom.snooze.hidden = resolved;
  dom.snoozeChip.hidden = !snoozed;
  clear(dom.snoozeChip);
  if (snoozed) {
    dom.snoozeChip.appendChild(document.createTextNode('Snoozed until ' + fmtTime(conv.snoozed_until)));
    dom.snoozeChip.appendChild(el('button', {
      class: 'chip-remove', text: '×', testid: 'snooze-wake', title: 'Wake it now',
      attrs: { type: 'button', 'aria-label': 'Wake it now' },
      on: { click: () => dom.snoozeChip.dispatchEvent(new CustomEvent('wake')) },
    }));
  }
  dom.reopen.hidden = !resolved;
}

/**
 * @param {Ctx} ctx
 * @param {ConvState} c
 * @param {boolean} past
 */
function renderReadOnlyActions(ctx, c, past) {
  const { S, dom } = ctx;
  const conv = c.conv;
  const waiting = conv.status === 'pending' && !conv.assignee_id;
  const taking = S.taking.get(conv.id);
  const supervisor = isSupervisor(ctx);
  dom.take.hidden = !past || supervisor || !waiting || !!taking;
  dom.takeState.hidden = !past || !taking;
  const available = !!S.me && S.me.status === 'available';
  dom.takeState.textContent = !taking ? '' : available ? 'Taken: accept its offer under Offers'
    : 'Taken: set yourself Available to get its offer';
  dom.assignTarget.hidden = !past || !supervisor || conv.status === 'resolved';
  if (!dom.assignTarget.hidden) fillAssignTargets(ctx);
}

/** @param {Ctx} ctx */
function fillAssignTargets(ctx) {
  const sel = ctx.dom.assignTarget;
  const agents = ctx.S.directory.agents;
  const signature = JSON.stringify(agents.map((a) => [a.id, a.name, a.status]));
  if (sel.dataset.signature === signature) return;
  sel.dataset.signature = signature;
  clear(sel);
  sel.appendChild(el('option', { text: 'Assign to…', attrs: { value: '' } }));
  for (const a of agents) {
    sel.appendChild(el('option', { text: a.name + ' (' + (a.status || 'unknown') + ')', attrs: { value: a.id } }));
  }
}

/**
 * What the read-only bar says about a conversation that is not the agent's.
 * @param {Ctx} ctx
 * @param {ConvState} c
 */
export function readOnlyText(ctx, c) {
  const conv = c.conv;
  const resolved = conv.status === 'resolved';
  const who = conv.assignee_id ? 'with ' + (conv.assignee_id === (ctx.S.me && ctx.S.me.id) ? 'you' : conv.assignee_name || 'an agent')
    : resolved ? '' : 'unassigned';
  return [(resolved ? 'Past conversation' : 'Conversation') + (conv.created_at ? ' from ' + fmtTime(conv.created_at) : ''),
    conv.status, who, 'read only'].filter(Boolean).join(' · ');
}
