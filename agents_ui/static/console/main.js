// @ts-check
/*
 * ContactHub agent console: the wiring. Builds the state, the connection and the context the
 * other modules share, binds the page's controls, and runs the sign-in lifecycle.
 *
 * Protocol: docs/protocol.md ("Agent socket /ws/agent"); layout: docs/frontend.md.
 */

import { ApiError, setToken, toast } from '../common.js';
import { logout, promptLogin, requireLogin, showView } from '../login.js';
import {
  decideOffer, dismissConversation, flushPresence, loadConversation, loadDirectory, onPresenceChange,
  onResolve, onTransfer, selectConversation,
} from './actions.js';
import { bindThemeToggle } from '../theme.js';
import { bindConvTools, setLabels } from './conv-tools.js';
import { bindInbox, loadInbox, loadLabels, loadViews, setView } from './inbox.js';
import { bindSuggest } from './suggest.js';
import { bindAttach } from './attach.js';
import { bindNotifyButton } from './alerts.js';
import {
  onNoteKeydown, onNoteSubmit, onReplyInput, onReplyKeydown, onReplySubmit, setComposerMode, stopTypingOut,
} from './composer.js';
import { consoleDom } from './dom.js';
import { applyEvent, onEphemeral, onWelcome } from './events.js';
import { bindPanes, showPane } from './panes.js';
import { closePast, openPast } from './past.js';
import { renderAll } from './render-conversation.js';
import { renderConversationList, renderMe, setConn, tickOffers } from './render-sidebar.js';
import { bindSearch, focusSearch } from './search.js';
import { bindShortcuts } from './shortcuts.js';
import { AgentConnection } from './socket.js';
import { createState, markStale, rememberAgent, resetState } from './state.js';
import { scheduleTimelineRefresh } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Views } from '../login.js'
 * @import { Agent } from '../protocol.js'
 * @import { Sync } from './socket.js'
 */

/**
 * We are caught up: flush queued presence, replies and notes, and refresh what is on screen.
 * @param {Ctx} ctx
 * @param {Sync} how
 */
function onSynced(ctx, how) {
  const { S } = ctx;
  if (how.kind === 'reloaded') markStale(S);
  setConn(ctx, 'connected');
  flushPresence(ctx);
  ctx.conn.flushOutbox();
  if (S.selectedId && S.convs.has(S.selectedId)) {
    loadConversation(ctx, S.selectedId);
    scheduleTimelineRefresh(ctx, 0);
  }
  renderAll(ctx);
  refreshInbox(ctx);
  if (how.kind === 'reloaded') {
    if (how.reason) console.info('ContactHub: reloaded from a fresh snapshot:', how.reason);
    toast('Caught up from a fresh snapshot', 'info');
  }
}

/**
 * The inbox and what its pickers list: after every (re)connect, since anything may have
 * moved while the socket was down.
 * @param {Ctx} ctx
 */
function refreshInbox(ctx) {
  loadViews(ctx);
  loadLabels(ctx);
  loadDirectory(ctx, true);
  loadInbox(ctx, true);
}

/**
 * @param {Ctx} ctx
 * @param {Views} views
 * @param {number} code
 */
async function onFatal(ctx, views, code) {
  const { S } = ctx;
  // Several failing requests may report the same expired session at once.
  if (S.loggingIn) return;
  S.loggingIn = true;
  ctx.conn.stop();
  setConn(ctx, 'offline');
  setToken(null);
  const agent = await promptLogin(views,
    code === 4403 ? 'Access denied.' : 'Your session has expired. Please sign in again.');
  S.loggingIn = false;
  startSession(ctx, views, agent);
}

/**
 * @param {Ctx} ctx
 * @param {Views} views
 * @param {Agent} agent
 */
function startSession(ctx, views, agent) {
  const { S } = ctx;
  if (agent && (!S.me || S.me.id !== agent.id)) {
    resetState(S);
    stopTypingOut(ctx);
    S.me = agent;
    rememberAgent(S, agent.id, agent.name);
  }
  showView(views, 'app');
  // Supervisors and admins administer labels and canned responses (admins: everything).
  const role = S.me && S.me.role;
  document.getElementById('admin-link')?.toggleAttribute('hidden', role !== 'admin' && role !== 'supervisor');
  renderMe(ctx);
  renderAll(ctx);
  ctx.conn.start();
}

/**
 * @param {Ctx} ctx
 * @param {Views} views
 * @param {Event} ev
 */
async function onLogout(ctx, views, ev) {
  ev.preventDefault();
  ctx.conn.stop();
  await logout();
  resetState(ctx.S);
  stopTypingOut(ctx);
  renderAll(ctx);
  setConn(ctx, 'offline');
  const agent = await promptLogin(views);
  startSession(ctx, views, agent);
}

/**
 * @param {Ctx} ctx
 * @param {Views} views
 */
function bindUi(ctx, views) {
  const { dom } = ctx;
  dom.presence.addEventListener('change', () => onPresenceChange(ctx));
  dom.logout.addEventListener('click', (ev) => { onLogout(ctx, views, ev); });
  bindSuggest(ctx); // before the composer's keys: Enter picks a suggestion first
  dom.replyForm.addEventListener('submit', (ev) => onReplySubmit(ctx, ev));
  dom.replyInput.addEventListener('keydown', (ev) => onReplyKeydown(ctx, ev));
  dom.replyInput.addEventListener('input', () => onReplyInput(ctx));
  dom.replyInput.addEventListener('blur', () => stopTypingOut(ctx));
  dom.noteForm.addEventListener('submit', (ev) => onNoteSubmit(ctx, ev));
  dom.noteInput.addEventListener('keydown', (ev) => onNoteKeydown(ctx, ev));
  dom.modeReply.addEventListener('click', () => setComposerMode(ctx, 'reply', true));
  dom.modeNote.addEventListener('click', () => setComposerMode(ctx, 'note', true));
  dom.resolve.addEventListener('click', () => onResolve(ctx));
  dom.transferSend.addEventListener('click', () => onTransfer(ctx));
  dom.transferTarget.addEventListener('focus', () => { loadDirectory(ctx, false); });
  dom.pastClose.addEventListener('click', () => closePast(ctx));
  bindThemeToggle(dom.themeToggle);
  bindNotifyButton(ctx);
  bindPanes(ctx);
  bindInbox(ctx);
  bindConvTools(ctx);
  bindAttach(ctx);
  bindSearch(ctx, () => renderConversationList(ctx));
  bindKeys(ctx);
  setInterval(() => tickOffers(ctx), 500);
}

/**
 * The keyboard shortcuts (shortcuts.js), on what is on screen: the top offer, the list as
 * shown (sorted and filtered), the open conversation.
 * @param {Ctx} ctx
 */
function bindKeys(ctx) {
  const { S, dom } = ctx;
  const inThread = () => !!S.selectedId && !S.past;
  bindShortcuts(ctx, {
    decideTopOffer: (accept) => {
      const top = Array.from(S.offers).find(([, o]) => !o.busy);
      if (top) decideOffer(ctx, top[0], accept);
    },
    move: (step) => {
      // My conversations, then the inbox below them, each conversation once.
      const nodes = [...dom.conversations.querySelectorAll('[data-conversation-id]'),
        ...dom.inboxList.querySelectorAll('[data-conversation-id]')];
      const ids = Array.from(new Set(nodes.map((node) => /** @type {HTMLElement} */ (node).dataset.conversationId || '')));
      if (!ids.length) return;
      const current = S.past ? S.past.conv.id : S.selectedId;
      const at = current ? ids.indexOf(current) : -1;
      const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
      if (ids[next] !== current) openPast(ctx, ids[next]);
    },
    reply: () => { if (inThread()) { showPane(ctx, 'thread'); setComposerMode(ctx, 'reply', true); } },
    note: () => { if (inThread()) { showPane(ctx, 'thread'); setComposerMode(ctx, 'note', true); } },
    resolve: () => onResolve(ctx),
    search: () => focusSearch(ctx),
  });
}

async function main() {
  const dom = consoleDom();
  const S = createState();
  /** @type {Views} */
  const views = {
    login: dom.loginView,
    app: dom.appView,
    onChange: (which) => { dom.meBox.hidden = which !== 'app'; },
  };
  /** @type {Ctx} */
  const ctx = {
    S,
    dom,
    conn: new AgentConnection(S, {
      onWelcome: (f, sameAgent) => onWelcome(ctx, f, sameAgent),
      onEvent: (f) => applyEvent(ctx, f),
      onEphemeral: (f) => onEphemeral(ctx, f),
      onSynced: (how) => onSynced(ctx, how),
      onDisconnect: () => { stopTypingOut(ctx); setConn(ctx, 'reconnecting'); },
      setConn: (state, delayMs) => setConn(ctx, state, delayMs),
      onFatal: (code) => { onFatal(ctx, views, code); },
    }),
    ui: {
      select: (id) => selectConversation(ctx, id),
      dismiss: (id) => dismissConversation(ctx, id),
      decideOffer: (id, accept) => decideOffer(ctx, id, accept),
      openPast: (id) => { openPast(ctx, id); },
      showPane: (pane) => showPane(ctx, pane),
      setView: (view) => setView(ctx, view),
      clearSearch: () => dom.searchInput.dispatchEvent(new Event('contacthub:clear')),
      setLabels: (id, labels) => { setLabels(ctx, id, labels); },
    },
    apiError: (e, what) => {
      if (e instanceof ApiError && e.status === 401) {
        onFatal(ctx, views, 4401);
        return;
      }
      toast(what + ': ' + ((e instanceof Error && e.message) || 'network error'), 'error');
    },
  };
  bindUi(ctx, views);
  startSession(ctx, views, await requireLogin(views));
}

main();
