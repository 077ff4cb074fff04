// @ts-check
/*
 * ContactHub administration: agents, queues and the audit log (admins), labels and canned
 * responses (supervisors too, as the API allows). Each section loads by REST; the API
 * enforces the roles, the page only hides what the role cannot use.
 */

import { $, ApiError, setToken, toast } from '../common.js';
import { logout, promptLogin, requireLogin, showView } from '../login.js';
import { bindThemeToggle } from '../theme.js';
import { bindAgents } from './agents.js';
import { bindAudit } from './audit.js';
import { bindCanned, bindLabels } from './catalog.js';
import { bindQueues } from './queues.js';

/**
 * @import { Views } from '../login.js'
 * @import { Agent } from '../protocol.js'
 */

function main() {
  const appView = $('app-view');
  const meBox = $('me-box');
  const forbidden = $('forbidden-view');
  const dialog = $('password-dialog', HTMLDialogElement);
  /** @type {Views} */
  const views = {
    login: $('login-view'), app: appView,
    onChange: (which) => { meBox.hidden = which !== 'app'; forbidden.hidden = true; },
  };

  const audit = bindAudit();
  const loadAgents = bindAgents({
    showPassword: (password, who) => {
      $('password-title').textContent = 'Password for ' + who;
      $('password-value').textContent = password;
      dialog.showModal();
    },
    onAgents: (agents) => { audit.setAgents(agents); audit.load().catch(failed); },
  });
  const loadQueues = bindQueues();
  const loadLabels = bindLabels();
  const loadCanned = bindCanned();
  dialog.addEventListener('close', () => { $('password-value').textContent = ''; });

  /** @param {unknown} e */
  function failed(e) {
    if (e instanceof ApiError && e.status === 401) { restart('Your session has expired. Please sign in again.'); return; }
    toast(e instanceof Error ? e.message : String(e), 'error');
  }

  /** @param {Agent} agent */
  function start(agent) {
    if (agent.role !== 'admin' && agent.role !== 'supervisor') {
      views.login.hidden = true;
      appView.hidden = true;
      forbidden.hidden = false;
      return;
    }
    showView(views, 'app');
    $('me-name').textContent = agent.name || agent.email || '';
    const admin = agent.role === 'admin';
    for (const node of document.querySelectorAll('[data-admin-only]')) {
      if (node instanceof HTMLElement) node.hidden = !admin;
    }
    const loads = admin ? [loadAgents, loadQueues, loadLabels, loadCanned] : [loadLabels, loadCanned];
    for (const load of loads) load().catch(failed);
  }

  /** @param {string} [message] */
  async function restart(message) {
    setToken(null);
    start(await promptLogin(views, message));
  }

  /** @param {Event} ev */
  async function onLogout(ev) {
    ev.preventDefault();
    await logout();
    restart();
  }

  bindThemeToggle($('theme-toggle', HTMLButtonElement));
  $('logout').addEventListener('click', (ev) => { onLogout(ev); });
  $('forbidden-logout').addEventListener('click', (ev) => { onLogout(ev); });
  requireLogin(views).then(start);
}

main();
