// @ts-check
/*
 * The composer's suggestion menu: in the reply box, `/` at the start of a word offers the
 * canned responses whose short code starts with what follows (GET /api/v1/canned-responses
 * ?q=) and inserts the one picked as rendered for this conversation (.../{id}/render); in a
 * note, `@` offers the agents (the directory) and inserts `@Name`, which the hub turns into
 * a mention. Arrows move, Enter or Tab picks, Escape closes; typing goes on filtering.
 */

import { api, clear, el } from '../common.js';
import { loadDirectory } from './actions.js';

/**
 * @import { Ctx } from './context.js'
 */

/** @typedef {{ id: string, short_code: string, title: string | null, text: string }} Canned */
/** @typedef {{ key: string, label: string, detail: string, pick: () => Promise<string | null> }} Item */
/**
 * @typedef {object} Open the menu while it is open: which box, where its token starts
 * @property {HTMLTextAreaElement} input
 * @property {number} start where the trigger character is
 * @property {Item[]} items
 * @property {number} active
 * @property {number} seq
 */

const DEBOUNCE_MS = 120;

/**
 * The word being typed at the caret, if it starts with `trigger` at the start of a word.
 * @param {HTMLTextAreaElement} input
 * @param {string} trigger
 * @returns {{ start: number, query: string } | null}
 */
export function tokenAt(input, trigger) {
  const caret = input.selectionStart;
  if (caret !== input.selectionEnd) return null;
  const before = input.value.slice(0, caret);
  const start = before.lastIndexOf(trigger);
  if (start < 0) return null;
  if (start > 0 && !/\s/.test(before[start - 1])) return null;
  const query = before.slice(start + 1);
  if (/\s/.test(query)) return null;
  return { start, query };
}

/**
 * @param {Ctx} ctx
 */
export function bindSuggest(ctx) {
  /** @type {{ menu: Open | null, timer: ReturnType<typeof setTimeout> | undefined }} */
  const st = { menu: null, timer: undefined };
  const box = ctx.dom.suggest;
  const close = () => { st.menu = null; box.hidden = true; clear(box); };

  const render = () => {
    const m = st.menu;
    clear(box);
    if (!m || !m.items.length) { box.hidden = true; return; }
    m.items.forEach((item, i) => {
      box.appendChild(el('li', {
        class: 'suggest-item', testid: 'suggest-item',
        attrs: { role: 'option', 'aria-selected': String(i === m.active), 'data-key': item.key },
        on: { mousedown: (ev) => { ev.preventDefault(); pick(i); } },
      }, el('strong', { text: item.label }), el('span', { class: 'muted', text: item.detail })));
    });
    box.hidden = false;
  };

  /** @param {number} i */
  const pick = async (i) => {
    const m = st.menu;
    if (!m || !m.items[i]) return;
    close();
    const text = await m.items[i].pick();
    if (text === null) return;
    const input = m.input;
    const end = input.selectionStart;
    input.value = input.value.slice(0, m.start) + text + input.value.slice(end);
    const caret = m.start + text.length;
    input.focus();
    input.setSelectionRange(caret, caret);
    input.dispatchEvent(new Event('input'));
  };

  /**
   * @param {HTMLTextAreaElement} input
   * @param {string} trigger
   * @param {(query: string) => Promise<Item[]>} find
   */
  const watch = (input, trigger, find) => {
    input.addEventListener('input', () => {
      const token = tokenAt(input, trigger);
      if (!token) { if (st.menu && st.menu.input === input) close(); return; }
      const seq = (st.menu ? st.menu.seq : 0) + 1;
      st.menu = { input, start: token.start, items: st.menu ? st.menu.items : [], active: 0, seq };
      clearTimeout(st.timer);
      st.timer = setTimeout(async () => {
        const items = await find(token.query);
        if (!st.menu || st.menu.seq !== seq) return;
        st.menu.items = items;
        st.menu.active = 0;
        render();
      }, DEBOUNCE_MS);
    });
    input.addEventListener('blur', close);
    // Bound before the composer's own keys, so Enter picks rather than sends.
    input.addEventListener('keydown', (ev) => {
      const m = st.menu;
      if (!m || m.input !== input || box.hidden) return;
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        m.active = (m.active + (ev.key === 'ArrowDown' ? 1 : m.items.length - 1)) % m.items.length;
        render();
      } else if (ev.key === 'Enter' || ev.key === 'Tab') {
        pick(m.active);
      } else if (ev.key === 'Escape') {
        close();
      } else {
        return;
      }
      ev.preventDefault();
      ev.stopImmediatePropagation();
    });
  };

  watch(ctx.dom.replyInput, '/', (q) => cannedItems(ctx, q));
  watch(ctx.dom.noteInput, '@', (q) => agentItems(ctx, q));
}

/**
 * @param {Ctx} ctx
 * @param {string} q
 * @returns {Promise<Item[]>}
 */
async function cannedItems(ctx, q) {
  try {
    const data = /** @type {{ canned_responses: Canned[] }} */ (
      await api('GET', '/api/v1/canned-responses?' + new URLSearchParams({ q })));
    return (data.canned_responses || []).slice(0, 8).map((r) => ({
      key: r.short_code,
      label: '/' + r.short_code,
      detail: r.title || r.text.slice(0, 60),
      pick: () => renderCanned(ctx, r),
    }));
  } catch (e) {
    ctx.apiError(e, 'Could not load canned responses');
    return [];
  }
}

/**
 * @param {Ctx} ctx
 * @param {Canned} r
 * @returns {Promise<string | null>}
 */
async function renderCanned(ctx, r) {
  const id = ctx.S.selectedId;
  try {
    const data = /** @type {{ text: string }} */ (await api('GET', '/api/v1/canned-responses/' + encodeURIComponent(r.id) +
      '/render?' + new URLSearchParams({ conversation_id: id || '' })));
    return data.text;
  } catch (e) {
    ctx.apiError(e, 'Could not fill in the canned response');
    return null;
  }
}

/**
 * @param {Ctx} ctx
 * @param {string} q
 * @returns {Promise<Item[]>}
 */
async function agentItems(ctx, q) {
  await loadDirectory(ctx, false);
  const want = q.toLowerCase();
  const me = ctx.S.me && ctx.S.me.id;
  return ctx.S.directory.agents
    .filter((a) => a.id !== me && a.name.toLowerCase().split(/\s+/).concat([a.name.toLowerCase()]).some((w) => w.startsWith(want)))
    .slice(0, 8)
    .map((a) => ({ key: a.id, label: a.name, detail: a.status || '', pick: async () => '@' + a.name + ' ' }));
}
