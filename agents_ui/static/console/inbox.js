// @ts-check
/*
 * The inbox: views (Mine, Unassigned, All and the saved ones), filters, status counts and
 * the paged conversation list, all from REST (GET /api/v1/conversations, .../counts,
 * /api/v1/views). The socket only says *that* something changed: relevant frames schedule
 * one debounced reload of what is shown.
 */

import { api, el, toast } from '../common.js';
import { renderFilterOptions, renderInbox, renderInboxViews } from './render-inbox.js';

/**
 * @import { Ctx } from './context.js'
 * @import { InboxFilters, InboxRow, LabelDef, SavedView } from './state.js'
 */

const PAGE = 25;
const REFRESH_DEBOUNCE_MS = 600;
const POLL_MS = 30000;
/** @type {Record<string, InboxFilters>} */
const BUILT_IN = { mine: { assignee: 'me' }, unassigned: { assignee: 'none' }, all: {} };

/**
 * The view's filters with the controls' on top: what the list and counts ask for.
 * @param {Ctx} ctx
 * @param {string} [view]
 * @returns {Record<string, string[]>}
 */
export function effectiveFilters(ctx, view) {
  const { inbox } = ctx.S;
  const name = view || inbox.view;
  /** @type {Record<string, string[]>} */
  const out = {};
  const saved = inbox.views.find((v) => v.id === name);
  const base = BUILT_IN[name] || {};
  for (const [k, v] of Object.entries(base)) if (v) out[k] = [v];
  if (saved) {
    for (const [k, v] of Object.entries(saved.filters || {})) {
      const list = Array.isArray(v) ? v : v ? [v] : [];
      // The list takes several statuses but one of everything else: the view's first.
      if (list.length) out[k] = k === 'status' ? list.map(String) : [String(list[0])];
    }
  }
  for (const [k, v] of Object.entries(inbox.filters)) if (v) out[k] = [v];
  return out;
}

/**
 * @param {Record<string, string[]>} filters
 * @param {Record<string, string>} [extra]
 * @param {string[]} [drop]
 */
function query(filters, extra, drop) {
  const params = new URLSearchParams();
  for (const [k, values] of Object.entries(filters)) {
    if (drop && drop.includes(k)) continue;
    for (const v of values) params.append(k, v);
  }
  for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
  return params.toString();
}

/**
 * Load the list from its first page; `keep` asks for as many rows as are shown now, so a
 * live refresh does not fold away pages the agent loaded.
 * @param {Ctx} ctx
 * @param {boolean} [keep]
 */
export async function loadInbox(ctx, keep) {
  const { inbox } = ctx.S;
  if (!ctx.S.me) return;
  const seq = ++inbox.seq;
  const limit = keep ? Math.min(100, Math.max(PAGE, inbox.rows.length)) : PAGE;
  const filters = effectiveFilters(ctx);
  inbox.loading = true;
  try {
    const [page] = await Promise.all([
      /** @type {Promise<{ conversations: InboxRow[], next_cursor: string | null }>} */ (
        api('GET', '/api/v1/conversations?' + query(filters, { limit: String(limit) }))),
      loadCounts(ctx, filters),
    ]);
    if (seq !== inbox.seq) return;
    inbox.rows = page.conversations;
    inbox.cursor = page.next_cursor;
    rememberLabels(ctx, page.conversations);
  } catch (e) {
    ctx.apiError(e, 'Could not load the inbox');
  } finally {
    if (seq === inbox.seq) inbox.loading = false;
  }
  renderInbox(ctx);
}

/** @param {Ctx} ctx */
export async function loadMore(ctx) {
  const { inbox } = ctx.S;
  if (!inbox.cursor || inbox.loading) return;
  const seq = inbox.seq;
  inbox.loading = true;
  renderInbox(ctx);
  try {
    const page = /** @type {{ conversations: InboxRow[], next_cursor: string | null }} */ (
      await api('GET', '/api/v1/conversations?' + query(effectiveFilters(ctx), { limit: String(PAGE), cursor: inbox.cursor })));
    if (seq !== inbox.seq) return;
    const known = new Set(inbox.rows.map((r) => r.id));
    inbox.rows = inbox.rows.concat(page.conversations.filter((r) => !known.has(r.id)));
    inbox.cursor = page.next_cursor;
    rememberLabels(ctx, page.conversations);
  } catch (e) {
    ctx.apiError(e, 'Could not load more conversations');
  } finally {
    inbox.loading = false;
  }
  renderInbox(ctx);
}

/**
 * The status counts of the current view, and the open + pending of each built-in view.
 * @param {Ctx} ctx
 * @param {Record<string, string[]>} filters
 */
async function loadCounts(ctx, filters) {
  const { inbox } = ctx.S;
  const ask = (/** @type {Record<string, string[]>} */ f) =>
    /** @type {Promise<Record<string, number>>} */ (api('GET', '/api/v1/conversations/counts?' + query(f, {}, ['status'])));
  const views = Object.keys(BUILT_IN);
  const [current, ...perView] = await Promise.all([ask(filters), ...views.map((v) => ask(effectiveFilters(ctx, v)))]);
  inbox.counts = current;
  /** @type {Record<string, number>} */
  const byView = {};
  views.forEach((v, i) => { byView[v] = (perView[i].open || 0) + (perView[i].pending || 0); });
  inbox.viewCounts = byView;
}

/**
 * @param {Ctx} ctx
 * @param {InboxRow[]} rows
 */
function rememberLabels(ctx, rows) {
  for (const r of rows) ctx.S.labelsOf.set(r.id, r.labels || []);
}

/**
 * Something changed (a socket frame): reload once things settle.
 * @param {Ctx} ctx
 */
export function scheduleInbox(ctx) {
  const { inbox } = ctx.S;
  clearTimeout(inbox.timer);
    inbox.timer = setTimeout(() => { loadInbox(ctx, true); }, REFRESH_DEBOUNCE_MS);
}

/** @param {Ctx} ctx */
export async function loadViews(ctx) {
  try {
    const data = /** @type {{ views: SavedView[] }} */ (await api('GET', '/api/v1/views'));
    ctx.S.inbox.views = data.views || [];
  } catch (e) {
    ctx.apiError(e, 'Could not load saved views');
  }
  renderInboxViews(ctx);
}

/**
 * Switch view: the filter controls are cleared (the view brings its own).
 * @param {Ctx} ctx
 * @param {string} view
 */
export function setView(ctx, view) {
  const { inbox } = ctx.S;
  inbox.view = view;
  inbox.filters = inbox.filters.q ? { q: inbox.filters.q } : {};
  inbox.rows = [];
  inbox.cursor = null;
  renderInbox(ctx);
  loadInbox(ctx);
}

/**
 * Save what the list shows now (view and filters) as a personal view.
 * @param {Ctx} ctx
 * @param {string} name
 */
export async function saveView(ctx, name) {
  const filters = effectiveFilters(ctx);
  try {
    const view = /** @type {SavedView} */ (await api('POST', '/api/v1/views', { name, filters }));
    ctx.S.inbox.views = ctx.S.inbox.views.concat([view]).sort((a, b) => a.name.localeCompare(b.name));
    toast('View “' + name + '” saved', 'info');
    setView(ctx, view.id);
  } catch (e) {
    ctx.apiError(e, 'Could not save the view');
  }
}

/** @param {Ctx} ctx */
export function startInboxPolling(ctx) {
  // Agents hear only of their own conversations on the socket; the queue moves anyway.
  setInterval(() => {
    if (ctx.S.me && document.visibilityState !== 'hidden' && !ctx.dom.appView.hidden) loadInbox(ctx, true);
  }, POLL_MS);
}

/** @param {Ctx} ctx */
export async function loadLabels(ctx) {
  try {
    const data = /** @type {{ labels: LabelDef[] }} */ (await api('GET', '/api/v1/labels'));
    ctx.S.labels = data.labels || [];
  } catch (e) {
    ctx.apiError(e, 'Could not load labels');
  }
  renderFilterOptions(ctx);
}

/**
 * "Save view": a name box in place of the button; Enter saves, Escape cancels.
 * @param {Ctx} ctx
 */
function askViewName(ctx) {
  const button = ctx.dom.viewSave;
  const input = el('input', {
    class: 'compact view-name', testid: 'view-name',
    attrs: { type: 'text', placeholder: 'View name', 'aria-label': 'View name', maxlength: '80' },
  });
  const done = () => { input.remove(); button.hidden = false; };
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); done(); button.focus(); }
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    const name = input.value.trim();
    done();
    if (name) saveView(ctx, name);
  });
  input.addEventListener('blur', () => { if (!input.value.trim()) done(); });
  button.hidden = true;
  button.after(input);
  input.focus();
}

/** @param {Ctx} ctx */
export function bindInbox(ctx) {
  const { dom, S } = ctx;
  /** @type {[HTMLSelectElement, keyof InboxFilters][]} */
  const pickers = [[dom.filterStatus, 'status'], [dom.filterChannel, 'channel'], [dom.filterQueue, 'queue'],
    [dom.filterLabel, 'label'], [dom.filterPriority, 'priority']];
  for (const [sel, key] of pickers) {
    sel.addEventListener('change', () => {
      S.inbox.filters[key] = sel.value || undefined;
      sel.classList.toggle('set', !!sel.value);
      loadInbox(ctx);
    });
  }
  dom.inboxMore.addEventListener('click', () => { loadMore(ctx); });
  dom.viewSave.addEventListener('click', () => askViewName(ctx));
  startInboxPolling(ctx);
}

/**
 * The search box's text also filters the inbox (`q`).
 * @param {Ctx} ctx
 * @param {string} q
 */
export function setInboxQuery(ctx, q) {
  if ((ctx.S.inbox.filters.q || '') === q) return;
  ctx.S.inbox.filters.q = q || undefined;
  loadInbox(ctx);
}
