// @ts-check
/*
 * The Agents section (admins): the table, create and edit, disable and enable, and a
 * password reset with a generated or typed password shown once.
 */

import { api, clear, el, toast } from '../common.js';
import { cell, editForm, list, pairs, pairsText, rowButton, setValue, value } from './forms.js';

/**
 * @typedef {object} AdminAgent
 * @property {string} id
 * @property {string} name
 * @property {string} email
 * @property {string} role
 * @property {string[]} skills
 * @property {Record<string, number>} capacity
 * @property {string} status
 * @property {boolean} disabled
 */

/**
 * @typedef {object} AgentsDeps
 * @property {(password: string, who: string) => void} showPassword
 * @property {(agents: AdminAgent[]) => void} onAgents the audit filter lists them
 */

const PASSWORD_CHARS = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random 16-character password. */
export function generatePassword() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => PASSWORD_CHARS[b % PASSWORD_CHARS.length]).join('');
}

/**
 * @param {AgentsDeps} deps
 */
export function bindAgents(deps) {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('agent-form'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('agent-rows'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('agents-empty'));
  const f = editForm(form, 'New agent', 'Create agent');

  async function load() {
    const data = /** @type {{ agents: AdminAgent[] }} */ (await api('GET', '/api/v1/agents'));
    clear(rows);
    for (const a of data.agents) rows.appendChild(row(a));
    empty.hidden = data.agents.length > 0;
    deps.onAgents(data.agents);
  }

  /** @param {AdminAgent} a */
  function row(a) {
    const status = a.disabled ? 'disabled' : a.status;
    return el('tr', { testid: 'agent-row', attrs: { 'data-agent-id': a.id, 'data-disabled': a.disabled } },
      cell('Name', el('strong', { text: a.name })),
      cell('Email', a.email),
      cell('Role', el('span', { class: 'tag', text: a.role })),
      cell('Skills', a.skills.join(', ') || '—'),
      cell('Capacity', pairsText(a.capacity) || 'default'),
      cell('Status', el('span', { class: 'badge status-' + status, testid: 'agent-status', text: status })),
      cell('Actions', el('span', { class: 'row-actions' },
        rowButton('Edit', 'agent-edit', () => edit(a)),
        a.disabled
          ? rowButton('Enable', 'agent-enable', () => act(a, 'enable'))
          : rowButton('Disable', 'agent-disable', () => act(a, 'disable'), 'danger'),
        rowButton('Reset password', 'agent-password', () => resetPassword(a)))));
  }

  /** @param {AdminAgent} a */
  function edit(a) {
    f.mode(a.id, 'Edit ' + a.name, 'Save changes');
    setValue(form, 'name', a.name);
    setValue(form, 'email', a.email);
    setValue(form, 'role', a.role);
    setValue(form, 'skills', a.skills.join(', '));
    setValue(form, 'capacity', pairsText(a.capacity));
    form.scrollIntoView({ block: 'nearest' });
  }

  /** @param {AdminAgent} a @param {'enable' | 'disable'} what */
  async function act(a, what) {
    try {
      await api('POST', '/api/v1/agents/' + encodeURIComponent(a.id) + '/' + what);
      toast(a.name + (what === 'enable' ? ' can sign in again' : ' is disabled'));
      await load();
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e), 'error');
    }
  }

  /** @param {AdminAgent} a */
  async function resetPassword(a) {
    const typed = window.prompt('New password for ' + a.name + ' (leave empty to generate one)', '');
    if (typed === null) return;
    const password = typed.trim() || generatePassword();
    try {
      await api('POST', '/api/v1/agents/' + encodeURIComponent(a.id) + '/password', { password });
      deps.showPassword(password, a.name);
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e), 'error');
    }
  }

  async function submit() {
    const body = {
      name: value(form, 'name'), email: value(form, 'email'), role: value(form, 'role'),
      skills: list(value(form, 'skills')), capacity: pairs(value(form, 'capacity')),
    };
    try {
      if (f.editing) {
        await api('PATCH', '/api/v1/agents/' + encodeURIComponent(f.editing), body);
        toast('Saved ' + body.name);
      } else {
        const password = value(form, 'password') || generatePassword();
        await api('POST', '/api/v1/agents', { ...body, password });
        deps.showPassword(password, body.name);
      }
      form.reset();
      f.mode(null, 'New agent', 'Create agent');
      await load();
    } catch (e) {
      f.showError(e);
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  const generate = form.querySelector('[data-action=generate]');
  if (generate) generate.addEventListener('click', () => setValue(form, 'password', generatePassword()));
  return load;
}
