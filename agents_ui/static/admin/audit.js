// @ts-check
/*
 * The audit log (admins): newest first, filtered by kind and agent; each change says which
 * fields moved from what to what.
 */

import { api, clear, el, fmtTime } from '../common.js';
import { cell } from './forms.js';

/**
 * @typedef {object} AuditEntry
 * @property {number} id
 * @property {string} at
 * @property {string} kind
 * @property {string | null} [agent_id]
 * @property {string | null} [email]
 * @property {string | null} [actor_id]
 * @property {string} [detail]
 * @property {Record<string, unknown> | null} [before]
 * @property {Record<string, unknown> | null} [after]
 */

/** @param {unknown} v */
function show(v) {
  return Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * "role: agent → supervisor" for every field that changed (or every field of a new record).
 * @param {AuditEntry} e
 */
export function describeChange(e) {
  const before = e.before || {};
  const after = e.after || {};
  const keys = Object.keys(after).filter((k) => k !== 'id' && show(before[k]) !== show(after[k]));
  if (!e.before) return keys.map((k) => k + ': ' + show(after[k])).join('; ');
  return keys.map((k) => k + ': ' + show(before[k]) + ' → ' + show(after[k])).join('; ');
}

/** @returns {{ load: () => Promise<void>, setAgents: (agents: { id: string, name: string }[]) => void }} */
export function bindAudit() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('audit-form'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('audit-rows'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('audit-empty'));
  const agentSelect = /** @type {HTMLSelectElement} */ (form.elements.namedItem('agent_id'));
  /** @type {Map<string, string>} */
  const names = new Map();

  async function load() {
    const params = new URLSearchParams({ limit: '200' });
    const data = new FormData(form);
    for (const key of ['kind', 'agent_id']) {
      const v = String(data.get(key) || '');
      if (v) params.set(key, v);
    }
    const answer = /** @type {{ entries: AuditEntry[] }} */ (
      await api('GET', '/api/v1/audit?' + params.toString()));
    clear(rows);
    for (const e of answer.entries) rows.appendChild(row(e));
    empty.hidden = answer.entries.length > 0;
  }

  /** @param {string | null | undefined} id */
  function who(id) {
    return id ? names.get(id) || id : '—';
  }

  /** @param {AuditEntry} e */
  function row(e) {
    const about = e.agent_id ? who(e.agent_id) : e.email || (e.after && show(e.after.name)) || '—';
    return el('tr', { testid: 'audit-row', attrs: { 'data-kind': e.kind } },
      cell('When', el('time', { text: fmtTime(e.at), attrs: { datetime: e.at } })),
      cell('Kind', el('span', { class: 'tag', text: e.kind.replace(/_/g, ' ') })),
      cell('About', about),
      cell('By', who(e.actor_id)),
      cell('Change', el('span', { class: 'audit-change', text: describeChange(e) || e.detail || '' })));
  }

  /** @param {{ id: string, name: string }[]} agents */
  function setAgents(agents) {
    const chosen = agentSelect.value;
    while (agentSelect.options.length > 1) agentSelect.remove(1);
    for (const a of agents) {
      names.set(a.id, a.name);
      agentSelect.appendChild(el('option', { text: a.name, attrs: { value: a.id } }));
    }
    agentSelect.value = chosen;
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  form.addEventListener('change', () => { load(); });
  return { load, setAgents };
}
