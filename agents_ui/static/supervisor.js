/*
 * ContactHub supervisor view.
 *
 * Protocol: docs/protocol.md ("Supervisor socket /ws/supervisor").
 *
 * Snapshots arrive up to four times a second, so tables are reconciled row by
 * row (keyed by queue name / agent id / conversation id) instead of being
 * rebuilt: that keeps an open Reassign dropdown and its selection intact while
 * the numbers around it change. All text goes in through textContent.
 */
(function () {
  'use strict';

  const { el, $, clear, toast, fmtMmSs, fmtTime } = window.CH;

  const S = {
    me: null,
    snapshot: null,
    receivedAt: 0,  // performance.now() when the snapshot arrived: wait times tick from here
    stale: true,
    loggingIn: false,
  };

  const views = {
    login: $('login-view'),
    app: $('app-view'),
    onChange: (which) => {
      $('me-box').hidden = which !== 'app';
      $('forbidden-view').hidden = true;
    },
  };

  const socket = new window.CH.ReconnectingSocket('/ws/supervisor', {
    onFrame: onFrame,
    onClose: () => markStale(true),
    onState: onSocketState,
    onFatal: onSocketFatal,
  }, [4401, 4403]);

  // ------------------------------------------------------------------ socket

  function setConn(state, delayMs) {
    window.CH.setConnIndicator($('conn'), state, delayMs);
  }

  async function onSocketState(state, delayMs, attempt) {
    setConn(state, delayMs);
    if (state === 'reconnecting' && attempt && attempt % 3 === 0) {
      if (!(await window.CH.sessionValid())) onSocketFatal(4401);
    }
  }

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
    window.CH.setToken(null);
    const agent = await window.CH.promptLogin(views, 'Your session has expired. Please sign in again.');
    S.loggingIn = false;
    startSession(agent);
  }

  function showForbidden() {
    views.login.hidden = true;
    views.app.hidden = true;
    $('me-box').hidden = true;
    $('forbidden-view').hidden = false;
  }

  function onFrame(f) {
    switch (f.type) {
      case 'snapshot': onSnapshot(f); break;
      case 'ack': toast('Conversation reassigned', 'info'); break;
      case 'error': window.CH.toastError(f); break;
      default: break; // pong and unknown frames
    }
  }

  function onSnapshot(f) {
    S.snapshot = f;
    S.receivedAt = performance.now();
    socket.resetBackoff();
    setConn('connected');
    markStale(false);
    $('snapshot-at').textContent = f.at ? 'as of ' + fmtTime(f.at) : '';
    renderQueues(f.queues || []);
    renderAgents(f.agents || []);
    renderConversations(f.conversations || [], f.agents || []);
    renderMailboxes(f.mailboxes || []);
  }

  /** Email mailboxes this hub process polls, with their IMAP connection state. */
  function renderMailboxes(mailboxes) {
    $('mailboxes-panel').hidden = mailboxes.length === 0;
    reconcile($('mailbox-rows'), mailboxes, (m) => m.name, (m) => el('tr', {
      testid: 'mailbox-row', attrs: { 'data-mailbox': m.name },
    }, el('td'), el('td', {}, el('span', { class: 'badge', testid: 'mailbox-connection' })),
    el('td', { class: 'num' }), el('td', { class: 'num' }), el('td'), el('td', { class: 'muted small' })),
    (row, m) => {
      const c = cells(row);
      setText(c[0], m.name + ' (' + m.address + ')');
      setText(c[1].children[0], m.connection);
      c[1].children[0].setAttribute('data-connection', m.connection);
      setText(c[2], m.imported);
      setText(c[3], m.last_uid);
      setText(c[4], m.last_sync_at ? fmtTime(m.last_sync_at) : '');
      setText(c[5], m.last_error || '');
    });
  }

  function markStale(stale) {
    S.stale = stale;
    $('app-view').classList.toggle('stale', stale);
  }

  // ------------------------------------------------------------------ keyed table reconciliation

  /**
   * Make `tbody` hold one row per item, in order, reusing rows by key.
   * build(item) creates a row; update(row, item) refreshes it in place.
   */
  function reconcile(tbody, items, keyOf, build, update) {
    const existing = new Map();
    for (const row of Array.from(tbody.children)) existing.set(row.dataset.key, row);
    let cursor = tbody.firstChild;
    for (const item of items) {
      const key = String(keyOf(item));
      let row = existing.get(key);
      if (row) existing.delete(key);
      else { row = build(item); row.dataset.key = key; }
      update(row, item);
      if (row !== cursor) tbody.insertBefore(row, cursor);
      else cursor = cursor.nextSibling;
    }
    for (const row of existing.values()) tbody.removeChild(row);
  }

  function setText(node, text) {
    const t = text == null ? '' : String(text);
    if (node.textContent !== t) node.textContent = t;
  }

  function cells(row) {
    return row.children;
  }

  // ------------------------------------------------------------------ queues

  function renderQueues(queues) {
    reconcile($('queue-rows'), queues, (q) => q.name, buildQueueRow, updateQueueRow);
    $('queues-empty').hidden = queues.length > 0;
  }

  function buildQueueRow(q) {
    return el('tr', { testid: 'queue-row', attrs: { 'data-queue': q.name } },
      el('td', { class: 'strong' }),
      el('td', { class: 'num', attrs: { 'data-field': 'waiting' } }),
      el('td', { class: 'num', attrs: { 'data-field': 'longest-wait' } }),
      el('td', { class: 'num', attrs: { 'data-field': 'service-level' } }),
      el('td', { class: 'num muted', attrs: { 'data-field': 'answered' } }));
  }

  function updateQueueRow(row, q) {
    const c = cells(row);
    setText(c[0], q.name);
    setText(c[1], q.waiting);
    row.dataset.waiting = String(q.waiting || 0);
    row.dataset.longest = String(q.longest_wait_seconds || 0);
    updateWaitCell(row);
    const target = q.service_level_seconds;
    const pct = serviceLevelPct(q);
    setText(c[3], (pct === null ? '—' : pct + '%') + (target != null ? ' (target ' + target + 's)' : ''));
    c[3].classList.toggle('sl-bad', pct !== null && pct < 80);
    c[3].classList.toggle('sl-good', pct !== null && pct >= 80);
    setText(c[4], q.answered != null ? (q.answered_within_target || 0) + ' / ' + q.answered : '—');
  }

  /**
   * Whether `service_level_pct` is 0–1 or 0–100 is not spelled out, so derive
   * it from the counts when there are any; the field is the fallback.
   */
  function serviceLevelPct(q) {
    if (q.answered > 0 && q.answered_within_target != null) {
      return Math.round((100 * q.answered_within_target) / q.answered);
    }
    if (q.service_level_pct == null) return null;
    const v = Number(q.service_level_pct);
    return Math.round(v <= 1 && !q.answered ? v * 100 : v);
  }

  /** Longest wait keeps counting up between snapshots while someone is waiting. */
  function updateWaitCell(row) {
    const waiting = Number(row.dataset.waiting) || 0;
    const base = Number(row.dataset.longest) || 0;
    const elapsed = S.stale ? 0 : (performance.now() - S.receivedAt) / 1000;
    const cell = row.children[2];
    setText(cell, waiting > 0 ? fmtMmSs(base + elapsed) : '00:00');
    cell.classList.toggle('waiting', waiting > 0);
  }

  function tick() {
    if (S.stale) return;
    for (const row of $('queue-rows').children) updateWaitCell(row);
  }

  // ------------------------------------------------------------------ agents

  function renderAgents(agents) {
    reconcile($('agent-rows'), agents, (a) => a.id, buildAgentRow, updateAgentRow);
    $('agents-empty').hidden = agents.length > 0;
  }

  function buildAgentRow(a) {
    return el('tr', { testid: 'agent-row', attrs: { 'data-agent-id': a.id } },
      el('td', {}, el('span', { class: 'strong' }), el('span', { class: 'muted small role' })),
      el('td', {}, el('span', { class: 'badge', testid: 'agent-status' })),
      el('td', { class: 'load' }),
      el('td', { class: 'num' }));
  }

  function updateAgentRow(row, a) {
    const c = cells(row);
    setText(c[0].children[0], a.name);
    setText(c[0].children[1], a.role && a.role !== 'agent' ? ' ' + a.role : '');
    const badge = c[1].children[0];
    setText(badge, a.status || 'unknown');
    badge.className = 'badge status-' + (a.status || 'unknown');
    badge.setAttribute('data-status', a.status || '');
    row.dataset.status = a.status || '';
    renderLoad(c[2], a.load || {}, a.capacity || {});
    setText(c[3], (a.conversations || []).length);
  }

  function renderLoad(cell, load, capacity) {
    const channels = Array.from(new Set(Object.keys(capacity).concat(Object.keys(load)))).sort();
    const signature = JSON.stringify(channels.map((ch) => [ch, load[ch] || 0, capacity[ch] || 0]));
    if (cell.dataset.signature === signature) return;
    cell.dataset.signature = signature;
    clear(cell);
    if (!channels.length) { cell.appendChild(el('span', { class: 'muted', text: '—' })); return; }
    for (const ch of channels) {
      const used = load[ch] || 0;
      const cap = capacity[ch] || 0;
      cell.appendChild(el('span', {
        class: 'load-chip' + (cap && used >= cap ? ' full' : ''),
        attrs: { 'data-channel': ch },
        text: ch + ' ' + used + '/' + cap,
      }));
    }
  }

  // ------------------------------------------------------------------ conversations

  function renderConversations(conversations, agents) {
    const list = conversations.slice().sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
    reconcile($('conversation-rows'), list, (c) => c.id, buildConversationRow,
      (row, c) => updateConversationRow(row, c, agents));
    $('conversations-empty').hidden = list.length > 0;
  }

  function buildConversationRow(conv) {
    const select = el('select', { testid: 'reassign-select', attrs: { 'aria-label': 'Reassign to' } });
    const button = el('button', {
      testid: 'reassign-send', text: 'Reassign', attrs: { type: 'button' },
      on: { click: () => reassign(conv.id, select) },
    });
    return el('tr', { testid: 'conversation-row', attrs: { 'data-conversation-id': conv.id } },
      el('td', { class: 'strong' }),
      el('td', {}),
      el('td', {}),
      el('td', {}, el('span', { class: 'badge' })),
      el('td', {}),
      el('td', { class: 'muted' }),
      el('td', { class: 'reassign' }, select, button));
  }

  function updateConversationRow(row, conv, agents) {
    const c = cells(row);
    setText(c[0], conv.customer_name || 'Customer');
    setText(c[1], conv.channel);
    setText(c[2], conv.queue);
    const badge = c[3].children[0];
    setText(badge, conv.status);
    badge.className = 'badge conv-' + conv.status;
    setText(c[4], conv.assignee_name || '—');
    setText(c[5], fmtTime(conv.created_at));
    row.dataset.status = conv.status || '';
    renderReassignOptions(c[6].children[0], conv, agents);
  }

  function renderReassignOptions(select, conv, agents) {
    const candidates = agents.filter((a) => a.id !== conv.assignee_id);
    const signature = JSON.stringify(candidates.map((a) => [a.id, a.name, a.status]));
    if (select.dataset.signature === signature) return;
    select.dataset.signature = signature;
    const keep = select.value;
    clear(select);
    select.appendChild(el('option', { text: 'Choose agent…', attrs: { value: '' } }));
    for (const a of candidates) {
      select.appendChild(el('option', { text: a.name + ' (' + (a.status || 'unknown') + ')', attrs: { value: a.id } }));
    }
    if (Array.from(select.options).some((o) => o.value === keep)) select.value = keep;
  }

  function reassign(conversationId, select) {
    const agentId = select.value;
    if (!agentId) { toast('Choose an agent to reassign to', 'info'); return; }
    if (!socket.send({ type: 'reassign', conversation_id: conversationId, to_agent_id: agentId })) {
      toast('Not connected — reassign was not sent', 'error');
      return;
    }
    select.value = '';
  }

  // ------------------------------------------------------------------ session

  function startSession(agent) {
    S.me = agent;
    window.CH.showView(views, 'app');
    $('me-name').textContent = (agent && (agent.name || agent.email)) || '';
    socket.start();
  }

  async function onLogout(ev) {
    ev.preventDefault();
    socket.stop();
    await window.CH.logout();
    S.snapshot = null;
    for (const id of ['queue-rows', 'agent-rows', 'conversation-rows']) clear($(id));
    setConn('offline');
    $('forbidden-view').hidden = true;
    const agent = await window.CH.promptLogin(views);
    startSession(agent);
  }

  async function main() {
    $('logout').addEventListener('click', onLogout);
    $('forbidden-logout').addEventListener('click', onLogout);
    setInterval(tick, 500);
    const agent = await window.CH.requireLogin(views);
    startSession(agent);
  }

  main();
})();
