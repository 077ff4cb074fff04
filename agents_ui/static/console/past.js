// @ts-check
/*
 * A past conversation, opened from the customer's timeline: loaded by REST and shown in the
 * thread read-only (no composer, no actions) until the agent goes back or opens another.
 * One of the agent's own conversations opens as usual instead.
 */

import { api } from '../common.js';
import { normalizeMessage } from './messages.js';
import { renderAll } from './render-conversation.js';
import { newConvState, rememberAgent } from './state.js';
import { scheduleTimelineRefresh, showCustomer } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Conversation, RawMessage } from '../protocol.js'
 */

/**
 * @param {Ctx} ctx
 * @param {string} id
 */
export async function openPast(ctx, id) {
  const { S } = ctx;
  if (S.convs.has(id)) { ctx.ui.select(id); return; }
  const seq = ++S.selectSeq;
  try {
    const data = /** @type {{ conversation: Conversation, messages?: RawMessage[] }} */ (
      await api('GET', '/api/v1/conversations/' + encodeURIComponent(id)));
    if (seq !== S.selectSeq) return;
    const c = newConvState(data.conversation);
    for (const raw of data.messages || []) {
      const m = normalizeMessage(raw);
      if (!m.message_id) continue;
      c.messages.set(m.message_id, m);
      rememberAgent(S, m.agent_id, m.agent_name);
    }
    S.past = c;
    ctx.ui.showPane('thread');
    renderAll(ctx);
    // The timeline brings this conversation's notes, and marks it as the one shown; opened
    // from the inbox or a search, it is another customer's: show theirs.
    if (S.timeline.customerId !== (c.conv.customer_id || null)) showCustomer(ctx, c.conv.customer_id || null);
    else scheduleTimelineRefresh(ctx, 0);
  } catch (e) {
    ctx.apiError(e, 'Could not open the conversation');
  }
}

/**
 * Back from a past conversation to the one selected (if any).
 * @param {Ctx} ctx
 */
export function closePast(ctx) {
  if (!ctx.S.past) return;
  ctx.S.past = null;
  renderAll(ctx);
  scheduleTimelineRefresh(ctx, 0);
}
