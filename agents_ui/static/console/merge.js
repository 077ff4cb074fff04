// @ts-check
/*
 * Merging customers from the panel (supervisors and admins; the API answers 403 to agents):
 * "Merge with…" searches customers (GET /api/v1/customers?q=), picking one asks for a
 * confirmation that says what moves, and the merge's toast offers Undo (POST unmerge with the
 * merge id). The profile does not list merges, so "Undo merge" on the profile is this page's
 * newest merge only, kept until another customer is shown.
 */

import { api, clear, el } from '../common.js';
import { loadProfile } from './profile.js';
import { scheduleTimelineRefresh } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import { CustomerMerge, CustomerProfile } from '../protocol.js'
 */

const SEARCH_DEBOUNCE_MS = 250;

/** @param {Ctx} ctx */
function mayMerge(ctx) {
  const role = ctx.S.me && ctx.S.me.role;
  return role === 'supervisor' || role === 'admin';
}

/**
 * The panel's merge controls: "Merge with…", and "Undo merge" after one from this page.
 * @param {Ctx} ctx
 * @returns {HTMLElement | null}
 */
export function mergeControls(ctx) {
  const P = ctx.S.profile;
  if (!mayMerge(ctx) || !P.data) return null;
  const last = P.lastMerge;
  return el('div', { class: 'merge-controls' },
    el('button', {
      class: 'small-button', text: 'Merge with…', testid: 'merge-open', attrs: { type: 'button' },
      on: { click: () => openMergeDialog(ctx) },
    }),
    last && !last.merge.undone_at ? el('button', {
      class: 'small-button', testid: 'merge-undo-profile', attrs: { type: 'button' },
      text: 'Undo merge of ' + last.name, on: { click: () => { undo(ctx, last.merge); } },
    }) : null);
}

/** @param {number} n @param {string} one @param {string} many */
function counted(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

/** @param {CustomerProfile} p */
function moves(p) {
  return counted((p.customer.identities || []).length, 'identity', 'identities') + ' and ' +
    counted((p.conversations || []).length, 'conversation', 'conversations');
}

/** @param {Ctx} ctx */
function openMergeDialog(ctx) {
  const P = ctx.S.profile;
  if (!P.data) return;
  const into = P.data.customer;
  const body = el('div', { class: 'dialog-body merge-body' });
  const dialog = el('dialog', { class: 'dialog merge-dialog', testid: 'merge-dialog', attrs: { 'aria-label': 'Merge customers' } }, body);
  dialog.addEventListener('close', () => { dialog.remove(); P.editing -= 1; loadProfile(ctx); });
  P.editing += 1; // the profile under the dialog stays as it is until it closes
  document.body.appendChild(dialog);
  const search = el('input', { testid: 'merge-search', attrs: { type: 'search', placeholder: 'Name, email or phone', 'aria-label': 'Find a customer', autocomplete: 'off' } });
  const results = el('ul', { class: 'merge-results', testid: 'merge-results' });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let seq = 0;
  const find = async () => {
    const q = search.value.trim();
    const mine = ++seq;
    clear(results);
    if (!q) return;
    try {
      const page = /** @type {{ customers: CustomerProfile[] }} */ (
        await api('GET', '/api/v1/customers?q=' + encodeURIComponent(q) + '&limit=10'));
      if (mine !== seq) return;
      const others = page.customers.filter((p) => p.customer.id !== into.id && !p.merged_into);
      if (!others.length) results.appendChild(el('li', { class: 'empty', text: 'No other customer matches.' }));
      for (const p of others) {
        results.appendChild(el('li', null, el('button', {
          class: 'merge-result', testid: 'merge-result', attrs: { type: 'button' },
          on: { click: () => confirmView(ctx, dialog, body, p) },
        },
        el('strong', { text: p.customer.display_name }),
        el('span', { class: 'muted small', text: (p.customer.identities || []).map((i) => i.kind === 'webchat' ? 'web visitor' : i.address).join(', ') }))));
      }
    } catch (e) {
      ctx.apiError(e, 'Could not search customers');
    }
  };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(find, SEARCH_DEBOUNCE_MS); });
  body.append(
    el('header', { class: 'dialog-head' },
      el('h1', { text: 'Merge with ' + into.display_name }),
      closeButton(dialog)),
    el('p', { class: 'muted small', text: 'Find the duplicate: it is merged into ' + into.display_name + ', who stays.' }),
    search, results);
  dialog.showModal();
  search.focus();
}

/** @param {HTMLDialogElement} dialog */
function closeButton(dialog) {
  return el('button', {
    class: 'icon-button', text: '×', testid: 'merge-close',
    attrs: { type: 'button', 'aria-label': 'Close' }, on: { click: () => dialog.close() },
  });
}

/**
 * @param {Ctx} ctx
 * @param {HTMLDialogElement} dialog
 * @param {HTMLElement} body
 * @param {CustomerProfile} from
 */
function confirmView(ctx, dialog, body, from) {
  const into = /** @type {CustomerProfile} */ (ctx.S.profile.data).customer;
  clear(body);
  const go = el('button', { class: 'primary', text: 'Merge', testid: 'merge-confirm', attrs: { type: 'button' } });
  go.addEventListener('click', async () => {
    go.disabled = true;
    try {
      const merge = /** @type {CustomerMerge} */ (await api('POST',
        '/api/v1/customers/' + encodeURIComponent(into.id) + '/merge', { from: from.customer.id }));
      ctx.S.profile.lastMerge = { merge, name: from.customer.display_name || 'Customer' };
      dialog.close();
      actionToast(ctx, 'Merged ' + from.customer.display_name + ' into ' + into.display_name + ': ' +
        counted(merge.identities, 'identity', 'identities') + ' and ' +
        counted(merge.conversations, 'conversation', 'conversations') + ' moved', merge);
      scheduleTimelineRefresh(ctx, 0);
    } catch (e) {
      go.disabled = false;
      ctx.apiError(e, 'Could not merge');
    }
  });
  body.append(
    el('header', { class: 'dialog-head' }, el('h1', { text: 'Merge ' + from.customer.display_name + '?' }), closeButton(dialog)),
    el('p', { testid: 'merge-summary', text: moves(from) + ' move from ' + from.customer.display_name +
      ' to ' + into.display_name + '. ' + from.customer.display_name + "'s profile then points to " +
      into.display_name + '. You can undo this.' }),
    el('div', { class: 'dialog-actions' },
      el('button', { class: 'ghost', text: 'Back', testid: 'merge-back', attrs: { type: 'button' }, on: { click: () => { dialog.close(); openMergeDialog(ctx); } } }),
      go));
  go.focus();
}

/**
 * A toast with an Undo button (common.js's toasts have none).
 * @param {Ctx} ctx
 * @param {string} text
 * @param {CustomerMerge} merge
 */
function actionToast(ctx, text, merge) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const node = el('div', { class: 'toast toast-info', testid: 'toast', attrs: { role: 'status' } });
  const close = () => node.remove();
  node.append(
    el('span', { class: 'toast-text', text }),
    el('button', { class: 'small-button', text: 'Undo', testid: 'merge-undo', attrs: { type: 'button' }, on: { click: () => { close(); undo(ctx, merge); } } }),
    el('button', { class: 'toast-close', text: '×', testid: 'toast-dismiss', attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: close } }));
  box.appendChild(node);
  setTimeout(close, 30000);
}

/**
 * @param {Ctx} ctx
 * @param {CustomerMerge} merge
 */
async function undo(ctx, merge) {
  try {
    await api('POST', '/api/v1/customers/' + encodeURIComponent(merge.survivor_id) + '/unmerge', { merge_id: merge.id });
    const P = ctx.S.profile;
    if (P.lastMerge && P.lastMerge.merge.id === merge.id) P.lastMerge = null;
    const box = document.getElementById('toasts');
    for (const b of box ? box.querySelectorAll('[data-testid=merge-undo]') : []) b.closest('.toast')?.remove();
    scheduleTimelineRefresh(ctx, 0);
  } catch (e) {
    ctx.apiError(e, 'Could not undo the merge');
  }
}
