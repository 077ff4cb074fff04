// @ts-check
/*
 * The search box: the seam where server search (issue 10's REST endpoints) plugs in. Today
 * it filters the agent's own conversations on this page by customer name, contact, subject,
 * queue and latest text; `/` focuses it, Escape clears it.
 */

/**
 * @import { Ctx } from './context.js'
 * @import { ConvState } from './state.js'
 */

/**
 * Does this conversation match the query (case-insensitive, every word somewhere)?
 * @param {ConvState} c
 * @param {string} query
 */
export function matchesSearch(c, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const conv = c.conv;
  const hay = [conv.customer_name, conv.contact, conv.subject, conv.queue, conv.channel, c.lastText]
    .filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** @param {Ctx} ctx */
export function focusSearch(ctx) {
  ctx.ui.showPane('inbox');
  ctx.dom.searchInput.focus();
  ctx.dom.searchInput.select();
}

/**
 * @param {Ctx} ctx
 * @param {() => void} rerender redraw the conversation list
 */
export function bindSearch(ctx, rerender) {
  const input = ctx.dom.searchInput;
  const apply = () => {
    ctx.S.search = input.value.trim();
    rerender();
  };
  input.addEventListener('input', apply);
  input.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    input.value = '';
    apply();
  });
  ctx.dom.searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // Enter opens the first match.
    const first = ctx.dom.conversations.querySelector('[data-conversation-id]');
    const id = first instanceof HTMLElement ? first.dataset.conversationId : undefined;
    if (id) ctx.ui.select(id);
  });
}
