// @ts-check
/*
 * What the open conversation's tools do, over REST (docs/api.md, "Conversations"): labels
 * and priority (PATCH), snooze and wake, reopen, and for a conversation not the agent's,
 * Take (assign to oneself: the router then offers it) or, for a supervisor, Assign to….
 * Each answer updates the state at once; the `conversation_updated` and `status` frames
 * that follow say the same, so applying both is harmless.
 */

import { api, toast } from '../common.js';
import { scheduleInbox } from './inbox.js';
import { dropConversation } from './actions.js';
import { renderAll, renderSelected } from './render-conversation.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Conversation } from '../protocol.js'
 * @import { ConvState } from './state.js'
 */

/** @param {Ctx} ctx @returns {ConvState | null} */
function shown(ctx) {
  return ctx.S.past || (ctx.S.selectedId && ctx.S.convs.get(ctx.S.selectedId)) || null;
}

/**
 * Fold a REST answer (or a frame's changes) into what the console holds of a conversation.
 * @param {Ctx} ctx
 * @param {string} id
 * @param {Partial<Conversation>} fields
 * @param {string[]} [labels]
 */
export function applyConversation(ctx, id, fields, labels) {
  const { S } = ctx;
  for (const c of [S.convs.get(id), S.past && S.past.conv.id === id ? S.past : null]) {
    if (c) c.conv = Object.assign({}, c.conv, fields);
  }
  if (labels) S.labelsOf.set(id, labels);
  const c = shown(ctx);
  if (c && c.conv.id === id) renderSelected(ctx);
  scheduleInbox(ctx);
}

/**
 * @param {Ctx} ctx
 * @param {string} id
 * @param {string} path '' for PATCH, else the action
 * @param {object | undefined} body
 * @param {string} what for the error toast
 */
function act(ctx, id, path, body, what) {
  const run = ctx.S.toolQueue.then(() => send(ctx, id, path, body, what));
  ctx.S.toolQueue = run;
  return run;
}

/**
 * @param {Ctx} ctx
 * @param {string} id
 * @param {string} path
 * @param {object | undefined} body
 * @param {string} what
 */
async function send(ctx, id, path, body, what) {
  try {
    const answer = /** @type {{ conversation: Conversation, labels: string[] }} */ (await api(
      path ? 'POST' : 'PATCH', '/api/v1/conversations/' + encodeURIComponent(id) + path, body));
    applyConversation(ctx, id, answer.conversation, answer.labels);
    return true;
  } catch (e) {
    ctx.apiError(e, what);
    return false;
  }
}

/**
 * @param {Ctx} ctx
 * @param {string} id
 * @param {string[]} labels the full list
 */
export function setLabels(ctx, id, labels) {
  return act(ctx, id, '', { labels }, 'Could not change the labels');
}

/**
 * When a snooze preset ends, in the agent's own time zone.
 * @param {string} preset 1h | tomorrow | week
 * @param {Date} now
 */
export function snoozeUntil(preset, now) {
  const t = new Date(now.getTime());
  if (preset === '1h') return new Date(t.getTime() + 3600 * 1000);
  t.setHours(9, 0, 0, 0);
  if (preset === 'tomorrow') { t.setDate(t.getDate() + 1); return t; }
  // Next week: the coming Monday, 9:00.
  t.setDate(t.getDate() + (((8 - t.getDay()) % 7) || 7));
  return t;
}

/**
 * @param {Ctx} ctx
 * @param {Date} until
 */
async function snooze(ctx, until) {
  const c = shown(ctx);
  if (!c) return;
  if (!(until.getTime() > Date.now())) { toast('Pick a time in the future to snooze until', 'info'); return; }
  // The "until" chip says when it wakes; no toast on top of it.
  await act(ctx, c.conv.id, '/snooze', { until: until.toISOString() }, 'Could not snooze');
}

/** @param {Ctx} ctx */
function onSnoozePick(ctx) {
  const { dom } = ctx;
  const preset = dom.snooze.value;
  dom.snooze.value = '';
  if (!preset) return;
  if (preset === 'custom') {
    dom.snoozeCustom.hidden = false;
    dom.snoozeCustom.focus();
    return;
  }
  snooze(ctx, snoozeUntil(preset, new Date()));
}

/**
 * Take: pin it to oneself; the router offers it, and it is ours once accepted.
 * @param {Ctx} ctx
 * @param {string | null} agentId null: the signed-in agent
 */
async function assign(ctx, agentId) {
  const { S } = ctx;
  const c = shown(ctx);
  if (!c || !S.me) return;
  const id = c.conv.id;
  try {
    const answer = /** @type {{ agent_name: string, agent_status: string }} */ (await api(
      'POST', '/api/v1/conversations/' + encodeURIComponent(id) + '/assign', { agent_id: agentId || S.me.id }));
    if (agentId && agentId !== S.me.id) {
      toast('Offered to ' + answer.agent_name + ' (' + answer.agent_status + ')', 'info');
    } else {
      S.taking.set(id, 'taken');
      S.acceptedConvIds.delete(id);
    }
    renderSelected(ctx);
    scheduleInbox(ctx);
  } catch (e) {
    ctx.apiError(e, 'Could not assign the conversation');
  }
}

/** @param {Ctx} ctx */
export function bindConvTools(ctx) {
  const { dom } = ctx;
  dom.labelAdd.addEventListener('change', () => {
    const c = shown(ctx);
    const name = dom.labelAdd.value;
    if (!c || !name) return;
    setLabels(ctx, c.conv.id, (ctx.S.labelsOf.get(c.conv.id) || []).concat([name]));
  });
  dom.priority.addEventListener('change', () => {
    const c = shown(ctx);
    if (c) act(ctx, c.conv.id, '', { priority: Number(dom.priority.value) }, 'Could not change the priority');
  });
  dom.snooze.addEventListener('change', () => onSnoozePick(ctx));
  dom.snoozeCustom.addEventListener('change', () => {
    const when = new Date(dom.snoozeCustom.value);
    dom.snoozeCustom.hidden = true;
    if (!isNaN(when.getTime())) snooze(ctx, when);
  });
  dom.snoozeChip.addEventListener('wake', () => {
    const c = shown(ctx);
    if (c) act(ctx, c.conv.id, '', { snoozed_until: null }, 'Could not wake the conversation');
  });
  dom.reopen.addEventListener('click', async () => {
    const c = shown(ctx);
    if (!c || !(await act(ctx, c.conv.id, '/reopen', undefined, 'Could not reopen'))) return;
    // Back in its queue, waiting for whoever takes it: no longer ours to work.
    const id = c.conv.id;
    const now = ctx.S.convs.get(id);
    if (now && ctx.S.me && now.conv.assignee_id !== ctx.S.me.id) {
      dropConversation(ctx, id);
      renderAll(ctx);
      ctx.ui.openPast(id);
    }
  });
  dom.take.addEventListener('click', () => { assign(ctx, null); });
  dom.assignTarget.addEventListener('change', () => {
    const target = dom.assignTarget.value;
    dom.assignTarget.value = '';
    if (target) assign(ctx, target);
  });
}
