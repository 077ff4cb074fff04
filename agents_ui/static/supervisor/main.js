// @ts-check
/*
 * ContactHub supervisor view: the socket, the sign-in lifecycle and the wiring.
 *
 * Protocol: docs/protocol.md ("Supervisor socket /ws/supervisor"); the tables: tables.js.
 */

import {
  $, ReconnectingSocket, clear, fmtTime, setConnIndicator, setToken, socketUrl, toast, toastError,
} from '../common.js';
import { logout, promptLogin, requireLogin, sessionValid, showView } from '../login.js';
import { bindThemeToggle } from '../theme.js';
import {
  renderAgents, renderConversations, renderMailboxes, renderQueues, tickQueues,
} from './tables.js';

/**
 * @import { Views } from '../login.js'
 * @import { Agent, ReassignAck, SnapshotFrame, SupervisorFrame } from '../protocol.js'
 * @import { Clock } from './tables.js'
 */

function supervisorDom() {
  return {
    conn: $('conn'),
    meBox: $('me-box'),
    meName: $('me-name'),
    snapshotAt: $('snapshot-at'),
    logout: $('logout'),
    loginView: $('login-view'),
    forbiddenView: $('forbidden-view'),
    forbiddenLogout: $('forbidden-logout'),
    appView: $('app-view'),
    queueRows: $('queue-rows'),
    queuesEmpty: $('queues-empty'),
    agentRows: $('agent-rows'),
    agentsEmpty: $('agents-empty'),
    conversationRows: $('conversation-rows'),
    conversationsEmpty: $('conversations-empty'),
    mailboxesPanel: $('mailboxes-panel'),
    mailboxRows: $('mailbox-rows'),
  };
}

function main() {
  const dom = supervisorDom();
  const S = {
    /** @type {Agent | null} */
    me: null,
    /** @type {SnapshotFrame | null} */
    snapshot: null,
    loggingIn: false,
  };
  /** @type {Clock} */
  const clock = { stale: true, receivedAt: 0 };

  /** @type {Views} */
  const views = {
    login: dom.loginView,
    app: dom.appView,
    onChange: (which) => {
      dom.meBox.hidden = which !== 'app';
      dom.forbiddenView.hidden = true;
    },
  };

  const socket = new ReconnectingSocket(() => socketUrl('/ws/supervisor'), {
    onFrame: (f) => onFrame(/** @type {SupervisorFrame} */ (f)),
    onClose: () => markStale(true),
    onState: (state, delayMs, attempt) => { onSocketState(state, delayMs, attempt); },
    onFatal: (code) => { onSocketFatal(code); },
  }, { fatalCodes: [4401, 4403] });

  /** @param {string} state @param {number} [delayMs] */
  function setConn(state, delayMs) {
    setConnIndicator(dom.conn, state, delayMs);
  }

  /** @param {string} state @param {number} [delayMs] @param {number} [attempt] */
  async function onSocketState(state, delayMs, attempt) {
    setConn(state, delayMs);
    if (state === 'reconnecting' && attempt && attempt % 3 === 0) {
      if (!(await sessionValid())) onSocketFatal(4401);
    }
  }

  /** @param {number} code */
  async function onSocketFatal(code) {
    socket.stop();
    setConn('offline');
    markStale(true);
    if (code === 4403) {
      showForbidden();
      return;
    }
    if (S.loggingIn) return;
    S.loggingIn = true;
    setToken(null);
    const agent = await promptLogin(views, 'Your session has expired. Please sign in again.');
    S.loggingIn = false;
    startSession(agent);
  }

  function showForbidden() {
    views.login.hidden = true;
    views.app.hidden = true;
    dom.meBox.hidden = true;
    dom.forbiddenView.hidden = false;
  }

  /** @param {SupervisorFrame} f */
  function onFrame(f) {
    switch (f.type) {
      case 'snapshot': onSnapshot(f); break;
      case 'ack': onReassigned(f); break;
      case 'error': toastError(f); break;
      default: break; // pong and unknown frames
    }
  }

  /**
   * Until the agent accepts, the conversation is not theirs: say whom it waits for, and
   * what happens when they are not there to take it.
   * @param {ReassignAck} f
   */
  function onReassigned(f) {
    const who = f.target_name || 'the agent';
    if (f.target_status && f.target_status !== 'available') {
      const until = f.waits_until ? ' until ' + fmtTime(f.waits_until) : '';
      toast(who + ' is ' + f.target_status + ': the conversation waits for them' + until +
        ', then goes back to the queue', 'info');
    } else {
      toast('Offered to ' + who + ': it is theirs once they accept', 'info');
    }
  }

  /** @param {SnapshotFrame} f */
  function onSnapshot(f) {
    S.snapshot = f;
    clock.receivedAt = performance.now();
    socket.resetBackoff();
    setConn('connected');
    markStale(false);
    dom.snapshotAt.textContent = f.at ? 'as of ' + fmtTime(f.at) : '';
    const queues = f.queues || [];
    const agents = f.agents || [];
    const mailboxes = f.mailboxes || [];
    renderQueues(dom.queueRows, queues, clock);
    dom.queuesEmpty.hidden = queues.length > 0;
    renderAgents(dom.agentRows, agents);
    dom.agentsEmpty.hidden = agents.length > 0;
    const open = renderConversations(dom.conversationRows, f.conversations || [], agents, reassign);
    dom.conversationsEmpty.hidden = open > 0;
    dom.mailboxesPanel.hidden = mailboxes.length === 0;
    renderMailboxes(dom.mailboxRows, mailboxes);
  }

  /** @param {boolean} stale */
  function markStale(stale) {
    clock.stale = stale;
    dom.appView.classList.toggle('stale', stale);
  }

  /**
   * @param {string} conversationId
   * @param {HTMLSelectElement} select
   */
  function reassign(conversationId, select) {
    const agentId = select.value;
    if (!agentId) { toast('Choose an agent to reassign to', 'info'); return; }
    if (!socket.send({ type: 'reassign', conversation_id: conversationId, to_agent_id: agentId })) {
      toast('Not connected — reassign was not sent', 'error');
      return;
    }
    select.value = '';
  }

  /** @param {Agent} agent */
  function startSession(agent) {
    S.me = agent;
    showView(views, 'app');
    dom.meName.textContent = (agent && (agent.name || agent.email)) || '';
    socket.start();
  }

  /** @param {Event} ev */
  async function onLogout(ev) {
    ev.preventDefault();
    socket.stop();
    await logout();
    S.snapshot = null;
    for (const tbody of [dom.queueRows, dom.agentRows, dom.conversationRows]) clear(tbody);
    setConn('offline');
    dom.forbiddenView.hidden = true;
    const agent = await promptLogin(views);
    startSession(agent);
  }

  bindThemeToggle($('theme-toggle', HTMLButtonElement));
  dom.logout.addEventListener('click', (ev) => { onLogout(ev); });
  dom.forbiddenLogout.addEventListener('click', (ev) => { onLogout(ev); });
  setInterval(() => tickQueues(dom.queueRows, clock), 500);
  requireLogin(views).then(startSession);
}

main();
