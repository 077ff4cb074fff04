// @ts-check
/*
 * Reassigning from the supervisor page: a picker of agents with their presence, and, when
 * the one chosen is not available, a warning first (the conversation would wait for them,
 * offered to nobody else, until they take it or the pin runs out).
 */

import { clear, el } from '../common.js';

/** @import { AgentStats, Conversation } from '../protocol.js' */

/**
 * Sends a reassign: the conversation and the agent chosen in the row's select.
 * @typedef {(conversationId: string, select: HTMLSelectElement) => void} OnReassign
 */


/**
 * The Reassign cell's controls: the agent picker, its button, and the confirmation asked
 * before parking a conversation with someone who is not available.
 * @param {string} conversationId
 * @param {OnReassign} onReassign
 * @returns {HTMLElement[]}
 */
export function reassignControls(conversationId, onReassign) {
  const select = el('select', { testid: 'reassign-select', attrs: { 'aria-label': 'Reassign to' } });
  const warning = el('span', { class: 'small', testid: 'reassign-warning' });
  const confirm = el('div', { class: 'reassign-confirm', testid: 'reassign-confirm', attrs: { role: 'alert', hidden: true } },
    warning,
    el('button', {
      testid: 'reassign-anyway', text: 'Reassign anyway', attrs: { type: 'button' },
      on: { click: () => { confirm.hidden = true; onReassign(conversationId, select); } },
    }),
    el('button', {
      testid: 'reassign-cancel', text: 'Cancel', attrs: { type: 'button' },
      on: { click: () => { confirm.hidden = true; } },
    }));
  const button = el('button', {
    testid: 'reassign-send', text: 'Reassign', attrs: { type: 'button' },
    on: { click: () => askReassign(conversationId, select, confirm, warning, onReassign) },
  });
  return [el('div', { class: 'reassign' }, select, button), confirm];
}

/**
 * Reassigning to someone who is not available parks the conversation: it waits for them
 * (for the offer timeout at most) instead of being offered to anyone else. Say so first.
 * @param {string} conversationId
 * @param {HTMLSelectElement} select
 * @param {HTMLElement} confirm
 * @param {HTMLElement} warning
 * @param {OnReassign} onReassign
 */
function askReassign(conversationId, select, confirm, warning, onReassign) {
  const option = select.selectedOptions[0];
  const status = option ? option.dataset.status || '' : '';
  if (!select.value || status === 'available') {
    confirm.hidden = true;
    onReassign(conversationId, select);
    return;
  }
  const name = option.dataset.name || 'This agent';
  warning.textContent = name + ' is ' + (status || 'not available') + ': nobody else will be offered ' +
    'this conversation while it waits for them, and it goes back to the queue if they do not ' +
    'take it soon. ';
  confirm.hidden = false;
}

/**
 * @param {HTMLSelectElement} select
 * @param {Conversation} conv
 * @param {AgentStats[]} agents
 */
export function renderReassignOptions(select, conv, agents) {
  const candidates = agents.filter((a) => a.id !== conv.assignee_id);
  const signature = JSON.stringify(candidates.map((a) => [a.id, a.name, a.status]));
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  const keep = select.value;
  clear(select);
  select.appendChild(el('option', { text: 'Choose agent…', attrs: { value: '' } }));
  for (const a of candidates) {
    select.appendChild(el('option', {
      text: a.name + ' (' + (a.status || 'unknown') + ')',
      attrs: { value: a.id, 'data-status': a.status || '', 'data-name': a.name },
    }));
  }
  if (Array.from(select.options).some((o) => o.value === keep)) select.value = keep;
}
