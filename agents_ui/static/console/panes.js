// @ts-check
/*
 * The console's three panes (inbox, conversation, customer). Wide screens show them side by
 * side; below 900 px style.css shows the one named by #app-view's data-pane, picked with
 * the tab bar or the conversation's back button. Opening a conversation shows its thread.
 */

/** @import { Ctx, Pane } from './context.js' */

/**
 * @param {Ctx} ctx
 * @param {Pane} pane
 */
export function showPane(ctx, pane) {
  const view = ctx.dom.appView;
  view.dataset.pane = pane;
  for (const tab of view.querySelectorAll('.pane-tab')) {
    if (tab instanceof HTMLElement) tab.setAttribute('aria-pressed', String(tab.dataset.pane === pane));
  }
}

/** @param {Ctx} ctx */
export function bindPanes(ctx) {
  for (const tab of ctx.dom.appView.querySelectorAll('.pane-tab')) {
    if (!(tab instanceof HTMLElement)) continue;
    const pane = /** @type {Pane} */ (tab.dataset.pane);
    tab.addEventListener('click', () => showPane(ctx, pane));
  }
  ctx.dom.convBack.addEventListener('click', () => showPane(ctx, 'inbox'));
  showPane(ctx, /** @type {Pane} */ (ctx.dom.appView.dataset.pane || 'inbox'));
}
