/*
 * ContactHub agent console.
 *
 * Protocol: docs/protocol.md ("Agent socket /ws/agent").
 *
 * Event handling invariants (an agent keeps this page open for hours):
 *  - Every stream frame carries an increasing event_id. `S.lastEventId` is the
 *    newest one applied; anything at or below it is a duplicate and dropped.
 *  - After a reconnect we apply the new welcome snapshot, then `resume` from
 *    our watermark. Stream frames that arrive before `resumed` (replayed or
 *    live) are buffered and applied in event_id order, so a live event can
 *    never overtake, and then mask, an older replayed one.
 *  - Replies and notes carry a client_id and stay in `S.outbox` until acked;
 *    the outbox is re-sent after every (re)connect, the server dedupes.
 *  - Customer text is only ever written with textContent.
 */
(function () {
  'use strict';

  const { el, $, clear, api, fmtTime, timeValue, toast } = window.CH;

  const RESUME_TIMEOUT_MS = 20000;
  const TYPING_SEND_EVERY_MS = 3000;
  const TYPING_IDLE_MS = 4000;
  const CUSTOMER_TYPING_TTL_MS = 8000;
  const TIMELINE_REFRESH_DEBOUNCE_MS = 800;
  const DIRECTORY_TTL_MS = 30000;

  // ------------------------------------------------------------------ state

  const S = {
    me: null,
    lastEventId: null,
    convs: new Map(),       // conversation id -> ConvState (insertion order = list order)
    offers: new Map(),      // offer id -> { frame, deadline, node, busy }
    selectedId: null,
    selectSeq: 0,           // guards against late REST answers for an older selection
    outbox: new Map(),      // client_id -> reply/note frame awaiting its ack
    resume: null,           // { buffer: [], timer } while a resume is in flight
    acceptedConvIds: new Set(), // conversations this tab accepted: open them on `assigned`
    agentNames: new Map(),  // agent id -> name, for timeline text
    directory: { agents: [], queues: [], loadedAt: 0 },
    timeline: { customerId: null, seq: 0, timer: null },
    typingOut: { convId: null, lastSent: 0, idleTimer: null },
    unavailableRetry: null,
    loggingIn: false,
    pendingPresence: null,  // status chosen while the socket was down
  };

  function newConvState(conv) {
    return {
      conv,
      unread: 0,
      messages: new Map(),  // message_id -> Msg (committed)
      pending: new Map(),   // client_id -> Msg (sent, not yet acked)
      customerTyping: false,
      typingTimer: null,
      lastText: '',
      draft: '',
    };
  }

  function resetState() {
    for (const c of S.convs.values()) clearTimeout(c.typingTimer);
    S.me = null;
    S.lastEventId = null;
    S.convs.clear();
    S.offers.clear();
    S.selectedId = null;
    S.outbox.clear();
    cancelResume();
    S.acceptedConvIds.clear();
    S.directory = { agents: [], queues: [], loadedAt: 0 };
    S.timeline.customerId = null;
    S.pendingPresence = null;
    stopTypingOut();
  }

  // ------------------------------------------------------------------ socket

  const views = {
    login: $('login-view'),
    app: $('app-view'),
    onChange: (which) => { $('me-box').hidden = which !== 'app'; },
  };

  const socket = new window.CH.ReconnectingSocket('/ws/agent', {
    onFrame: onFrame,
    onClose: onSocketClose,
    onState: onSocketState,
    onFatal: onSocketFatal,
  }, [4401, 4403]);

  function sendFrame(frame, quiet) {
    const ok = socket.send(frame);
    if (!ok && !quiet) toast('Not connected — the action was not sent. Try again once reconnected.', 'error');
    return ok;
  }

  function onSocketClose() {
    // A partial replay must not be applied: live frames in the buffer would
    // move the watermark past events that were never received.
    cancelResume();
    stopTypingOut();
    setConn('reconnecting');
  }

  async function onSocketState(state, delayMs, attempt) {
    setConn(state, delayMs);
    if (state === 'reconnecting' && attempt && attempt % 3 === 0) {
      if (!(await window.CH.sessionValid())) onSocketFatal(4401);
    }
  }

  async function onSocketFatal(code) {
    // Several failing requests may report the same expired session at once.
    if (S.loggingIn) return;
    S.loggingIn = true;
    socket.stop();
    setConn('offline');
    window.CH.setToken(null);
    const agent = await window.CH.promptLogin(views,
      code === 4403 ? 'Access denied.' : 'Your session has expired. Please sign in again.');
    S.loggingIn = false;
    startSession(agent);
  }

  function setConn(state, delayMs) {
    window.CH.setConnIndicator($('conn'), state, delayMs);
    // Presence only makes sense on a live socket; disabled also tells
    // automation (and people) to wait until the console is connected.
    $('presence').disabled = !(state === 'connected' || state === 'syncing');
  }

  // ------------------------------------------------------------------ frame dispatch

  function onFrame(f) {
    if (typeof f.event_id === 'number') {
      if (S.resume) S.resume.buffer.push(f);
      else applyIfNew(f);
      return;
    }
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'resumed': onResumed(f); break;
      case 'ack': onAck(f); break;
      case 'typing': onCustomerTyping(f); break;
      case 'error': onError(f); break;
      case 'pong': break;
      default: break; // unknown ephemeral frames are ignored for forward compatibility
    }
  }

  function applyIfNew(f) {
    if (S.lastEventId !== null && f.event_id <= S.lastEventId) return;
    S.lastEventId = f.event_id;
    applyEvent(f);
  }

  function applyEvent(f) {
    switch (f.type) {
      case 'offer': onOffer(f); break;
      case 'offer_closed': onOfferClosed(f); break;
      case 'assigned': onAssigned(f); break;
      case 'unassigned': onUnassigned(f); break;
      case 'message': onMessage(f); break;
      case 'note': onNote(f); break;
      case 'status': onStatus(f); break;
      case 'presence': onPresence(f); break;
      case 'delivery': onDelivery(f); break;
      case 'consent': onConsent(f); break;
      default: break; // e.g. conversation_opened / transferred: only the timeline shows them
    }
    touchTimeline(f);
  }

  // ------------------------------------------------------------------ welcome / resume

  function onWelcome(f) {
    const agent = f.agent || {};
    const sameAgent = !!S.me && S.me.id === agent.id;
    const serverId = typeof f.last_event_id === 'number' ? f.last_event_id : null;
    // If the server's newest id is below our watermark its log was reset;
    // resuming from our id would silently skip everything, so start over.
    const canResume = sameAgent && S.lastEventId !== null && serverId !== null && serverId >= S.lastEventId;
    if (!sameAgent) resetState();

    S.me = agent;
    rememberAgent(agent.id, agent.name);
    renderMe();
    applySnapshot(f.conversations || [], f.offers || []);
    socket.resetBackoff();

    if (canResume) {
      beginResume();
    } else {
      if (serverId !== null) S.lastEventId = serverId;
      finishSync();
    }
  }

  function beginResume() {
    cancelResume();
    S.resume = {
      buffer: [],
      // A resume that never completes would leave us buffering forever; start
      // the whole connection over instead.
      timer: setTimeout(() => { cancelResume(); socket.reconnect(); }, RESUME_TIMEOUT_MS),
    };
    setConn('syncing');
    sendFrame({ type: 'resume', last_event_id: S.lastEventId }, true);
  }

  function onResumed() {
    if (!S.resume) return;
    const buffer = S.resume.buffer;
    cancelResume();
    buffer.sort((a, b) => a.event_id - b.event_id);
    for (const f of buffer) applyIfNew(f);
    finishSync();
  }

  function cancelResume() {
    if (S.resume) clearTimeout(S.resume.timer);
    S.resume = null;
  }

  /** We are caught up: flush queued replies and refresh what is on screen. */
  function finishSync() {
    setConn('connected');
    flushPresence();
    flushOutbox();
    if (S.selectedId && S.convs.has(S.selectedId)) {
      loadConversation(S.selectedId);
      scheduleTimelineRefresh(0);
    }
    renderAll();
  }

  /**
   * The welcome lists what is assigned and offered *now*. Replayed events that
   * follow only ever move entities to their latest state, so applying the
   * snapshot first and the replay on top converges to the same result.
   */
  function applySnapshot(conversations, offers) {
    const live = new Set();
    for (const conv of conversations) {
      if (!conv || !conv.id) continue;
      live.add(conv.id);
      upsertConversation(conv);
    }
    for (const [id, c] of S.convs) {
      // Resolved ones stay visible (marked) until the agent dismisses them.
      if (!live.has(id) && c.conv.status !== 'resolved') dropConversation(id);
    }

    const liveOffers = new Set();
    for (const o of offers) {
      if (!o || !o.offer_id) continue;
      liveOffers.add(o.offer_id);
      upsertOffer(o);
    }
    for (const id of Array.from(S.offers.keys())) if (!liveOffers.has(id)) removeOffer(id);
  }

  // ------------------------------------------------------------------ acks / errors / outbox

  function onAck(f) {
    const frame = S.outbox.get(f.client_id);
    if (!frame) return; // a duplicate ack for something already settled
    S.outbox.delete(f.client_id);
    if (frame.type === 'reply') {
      const c = S.convs.get(frame.conversation_id);
      if (!c) return;
      const p = c.pending.get(f.client_id);
      c.pending.delete(f.client_id);
      // The `message` stream event for this reply may have arrived first; then
      // it already sits in `messages` and the pending copy simply disappears.
      if (p && f.message_id && !c.messages.has(f.message_id)) {
        c.messages.set(f.message_id, Object.assign({}, p, { message_id: f.message_id, state: 'sent' }));
      }
      if (frame.conversation_id === S.selectedId) renderThread();
    } else if (frame.type === 'note') {
      toast('Note saved', 'info');
    }
  }

  function onError(f) {
    window.CH.toastError(f);
    // A refused reply (opted out, resolved, ...) will not succeed by resending: show it failed.
    const frame = f.client_id && S.outbox.get(f.client_id);
    if (frame && frame.type === 'reply' && f.code !== 'unavailable' && f.code !== 'internal') {
      S.outbox.delete(f.client_id);
      const c = S.convs.get(frame.conversation_id);
      const p = c && c.pending.get(f.client_id);
      if (p) {
        p.state = 'failed';
        p.error = f.message;
        if (frame.conversation_id === S.selectedId) renderThread();
      }
    }
    // `unavailable` means storage hiccuped; nothing tells us which frame
    // failed, so re-send whatever is still unacked (idempotent by client_id).
    if (f.code === 'unavailable' && S.outbox.size && !S.unavailableRetry) {
      S.unavailableRetry = setTimeout(() => { S.unavailableRetry = null; flushOutbox(); }, 3000);
    }
  }

  function flushOutbox() {
    for (const frame of S.outbox.values()) {
      if (!socket.send(frame)) return;
    }
  }

  /** Replies that can no longer be delivered (conversation gone) are shown as failed, not retried forever. */
  function failPending(convId) {
    const c = S.convs.get(convId);
    for (const [cid, frame] of Array.from(S.outbox)) {
      if (frame.conversation_id === convId) S.outbox.delete(cid);
    }
    if (!c) return;
    for (const p of c.pending.values()) p.state = 'failed';
  }

  // ------------------------------------------------------------------ presence / me

  function onPresence(f) {
    if (!S.me || (f.agent_id && f.agent_id !== S.me.id)) return;
    S.me.status = f.status;
    renderMe();
  }

  function renderMe() {
    if (!S.me) return;
    $('me-name').textContent = S.me.name || S.me.email || '';
    const badge = $('me-status');
    badge.textContent = S.me.status || 'unknown';
    badge.setAttribute('data-status', S.me.status || '');
    badge.className = 'badge status-' + (S.me.status || 'unknown');
    const sel = $('presence');
    if (document.activeElement !== sel && S.me.status && !S.pendingPresence) sel.value = S.me.status;
  }

  function onPresenceChange() {
    const status = $('presence').value;
    if (!socket.send({ type: 'presence', status })) {
      // Keep the agent's choice and apply it as soon as we are connected again.
      S.pendingPresence = status;
      toast('Offline - your status will be set to ' + status + ' once reconnected', 'info');
    } else {
      S.pendingPresence = null;
    }
    $('presence').blur();
  }

  function flushPresence() {
    if (S.pendingPresence && socket.send({ type: 'presence', status: S.pendingPresence })) {
      S.pendingPresence = null;
    }
  }

  // ------------------------------------------------------------------ offers

  function onOffer(f) {
    if (S.me && f.agent_id && f.agent_id !== S.me.id) return;
    upsertOffer(f);
    renderOffers();
  }

  function onOfferClosed(f) {
    removeOffer(f.offer_id);
    renderOffers();
  }

  function upsertOffer(f) {
    let seconds = Number(f.expires_in);
    if (!isFinite(seconds)) {
      // Fall back to the absolute time; clock skew makes this less accurate.
      const at = Date.parse(f.expires_at);
      seconds = isNaN(at) ? 0 : (at - Date.now()) / 1000;
    }
    const existing = S.offers.get(f.offer_id);
    const entry = existing || { node: null, busy: false };
    entry.frame = f;
    entry.deadline = performance.now() + Math.max(0, seconds) * 1000;
    S.offers.set(f.offer_id, entry);
    if (f.conversation && f.conversation.assignee_name && f.conversation.assignee_id) {
      rememberAgent(f.conversation.assignee_id, f.conversation.assignee_name);
    }
  }

  function removeOffer(offerId) {
    const o = S.offers.get(offerId);
    if (!o) return;
    if (o.node && o.node.parentNode) o.node.parentNode.removeChild(o.node);
    S.offers.delete(offerId);
  }

  function decideOffer(offerId, accept) {
    const o = S.offers.get(offerId);
    if (!o || o.busy) return;
    const frame = accept ? { type: 'accept', offer_id: offerId } : { type: 'reject', offer_id: offerId };
    if (!sendFrame(frame)) return;
    if (accept && o.frame.conversation) S.acceptedConvIds.add(o.frame.conversation.id);
    // Block double clicks until the server closes the offer; unblock if it
    // never does (e.g. the answer was an error we cannot attribute).
    o.busy = true;
    setTimeout(() => { o.busy = false; renderOffers(); }, 5000);
    renderOffers();
  }

  function renderOffers() {
    const box = $('offers');
    for (const [id, o] of S.offers) {
      if (!o.node) o.node = buildOfferCard(id, o);
      if (o.node.parentNode !== box) box.appendChild(o.node);
      updateOfferCard(o);
    }
    $('offers-empty').hidden = S.offers.size > 0;
    $('offers-count').textContent = S.offers.size ? String(S.offers.size) : '';
    updateTitle();
  }

  function buildOfferCard(id, o) {
    const f = o.frame;
    const conv = f.conversation || {};
    const preview = f.preview || conv.preview || conv.subject || '';
    const card = el('div', { class: 'offer-card', testid: 'offer', attrs: { 'data-offer-id': id } },
      el('div', { class: 'offer-head' },
        el('strong', { class: 'offer-customer', text: conv.customer_name || 'Customer' }),
        el('span', { class: 'offer-countdown', testid: 'offer-countdown' })),
      el('div', { class: 'offer-meta muted', text: [conv.channel, conv.queue].filter(Boolean).join(' · ') }),
      preview ? el('div', { class: 'offer-preview', text: preview }) : null,
      el('div', { class: 'offer-actions' },
        el('button', { class: 'primary', testid: 'offer-accept', text: 'Accept', attrs: { type: 'button' },
          on: { click: () => decideOffer(id, true) } }),
        el('button', { testid: 'offer-reject', text: 'Reject', attrs: { type: 'button' },
          on: { click: () => decideOffer(id, false) } })));
    return card;
  }

  function updateOfferCard(o) {
    const left = Math.max(0, Math.ceil((o.deadline - performance.now()) / 1000));
    const cd = o.node.querySelector('.offer-countdown');
    const text = left > 0 ? left + 's' : 'expiring…';
    if (cd.textContent !== text) cd.textContent = text;
    o.node.classList.toggle('urgent', left <= 5);
    const disabled = o.busy || left <= 0;
    for (const b of o.node.querySelectorAll('button')) b.disabled = disabled;
  }

  function tickOffers() {
    for (const o of S.offers.values()) if (o.node) updateOfferCard(o);
  }

  // ------------------------------------------------------------------ conversations

  function upsertConversation(conv) {
    let c = S.convs.get(conv.id);
    if (!c) {
      c = newConvState(conv);
      S.convs.set(conv.id, c);
    } else {
      c.conv = Object.assign({}, c.conv, conv);
    }
    if (conv.assignee_id && conv.assignee_name) rememberAgent(conv.assignee_id, conv.assignee_name);
    return c;
  }

  function dropConversation(id) {
    const c = S.convs.get(id);
    if (!c) return;
    clearTimeout(c.typingTimer);
    failPending(id);
    S.convs.delete(id);
    if (S.selectedId === id) deselect();
  }

  function onAssigned(f) {
    const conv = f.conversation;
    if (!conv || !conv.id) return;
    if (S.me && f.agent_id && f.agent_id !== S.me.id) {
      // Reassigned to someone else: it is no longer ours.
      if (S.convs.has(conv.id)) {
        dropConversation(conv.id);
        renderAll();
      }
      return;
    }
    upsertConversation(conv);
    const autoOpen = S.acceptedConvIds.delete(conv.id);
    renderConversationList();
    if (autoOpen || !S.selectedId) selectConversation(conv.id);
    else if (f.via === 'reassign') toast('Conversation with ' + (conv.customer_name || 'a customer') + ' was assigned to you', 'info');
  }

  function onUnassigned(f) {
    if (S.me && f.agent_id && f.agent_id !== S.me.id) return;
    const c = S.convs.get(f.conversation_id);
    if (!c) return;
    const who = c.conv.customer_name || 'a customer';
    dropConversation(f.conversation_id);
    renderAll();
    toast('Conversation with ' + who + ' was ' + (f.reason === 'reassign' ? 'reassigned' : 'transferred'), 'info');
  }

  function onStatus(f) {
    const c = S.convs.get(f.conversation_id);
    if (!c) return;
    c.conv = Object.assign({}, c.conv, { status: f.status });
    if (f.status === 'resolved') {
      failPending(f.conversation_id);
      c.customerTyping = false;
    }
    renderConversationList();
    if (f.conversation_id === S.selectedId) renderSelected();
  }

  function dismissConversation(id) {
    dropConversation(id);
    renderAll();
  }

  function renderConversationList() {
    const list = $('conversations');
    clear(list);
    const items = Array.from(S.convs.values());
    // Active first, resolved at the bottom; otherwise keep arrival order so items do not jump.
    items.sort((a, b) => (a.conv.status === 'resolved') - (b.conv.status === 'resolved'));
    for (const c of items) list.appendChild(buildConversationItem(c));
    $('conversations-empty').hidden = S.convs.size > 0;
    updateTitle();
  }

  function buildConversationItem(c) {
    const conv = c.conv;
    const resolved = conv.status === 'resolved';
    const selected = conv.id === S.selectedId;
    const li = el('li', {
      class: 'conv-item' + (selected ? ' selected' : '') + (resolved ? ' resolved' : '') + (c.unread ? ' has-unread' : ''),
      testid: 'conversation-item',
      attrs: {
        'data-conversation-id': conv.id, 'data-status': conv.status || '', tabindex: '0',
        role: 'button', 'aria-current': selected ? 'true' : null,
      },
      on: {
        click: () => selectConversation(conv.id),
        keydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); selectConversation(conv.id); } },
      },
    },
    el('div', { class: 'conv-item-top' },
      el('span', { class: 'conv-name', text: conv.customer_name || 'Customer' }),
      c.unread ? el('span', { class: 'unread', testid: 'unread-badge', text: String(c.unread) }) : null,
      resolved ? el('span', { class: 'tag tag-resolved', text: 'resolved' }) : null,
      resolved ? el('button', {
        class: 'link-button', testid: 'conversation-dismiss', text: '×', title: 'Remove from list',
        attrs: { type: 'button', 'aria-label': 'Remove from list' },
        on: { click: (ev) => { ev.stopPropagation(); dismissConversation(conv.id); } },
      }) : null),
    el('div', { class: 'conv-item-meta muted', text: [conv.channel, conv.queue].filter(Boolean).join(' · ') }),
    c.lastText ? el('div', { class: 'conv-item-preview', text: c.lastText }) : null);
    return li;
  }

  // ------------------------------------------------------------------ messages

  function normalizeMessage(m) {
    return {
      message_id: m.message_id || m.id,
      client_id: m.client_id || null,
      author: m.author || (m.direction === 'in' ? 'customer' : 'agent'),
      direction: m.direction || null,
      agent_id: m.agent_id || null,
      agent_name: m.agent_name || null,
      channel: m.channel || null,
      text: m.text == null ? '' : String(m.text),
      created_at: m.created_at || null,
      attachments: Array.isArray(m.attachments) ? m.attachments : [],
      delivery_status: m.delivery_status || null,
      delivery_error: m.delivery_error || null,
      html: typeof m.html === 'string' ? m.html : null,
      meta: m.meta && typeof m.meta === 'object' ? m.meta : {},
      state: 'sent',
    };
  }

  function onMessage(f) {
    let c = S.convs.get(f.conversation_id);
    if (!c) return; // not (or no longer) ours
    const m = normalizeMessage(f);
    if (m.agent_id && m.agent_name) rememberAgent(m.agent_id, m.agent_name);
    if (m.client_id) c.pending.delete(m.client_id); // our own reply, now committed
    const isNew = !c.messages.has(m.message_id);
    c.messages.set(m.message_id, m);
    c.lastText = m.text;
    const fromCustomer = m.author === 'customer';
    if (fromCustomer) {
      c.customerTyping = false;
      clearTimeout(c.typingTimer);
    }
    if (f.conversation_id === S.selectedId) {
      renderThread();
      renderTyping();
    } else if (fromCustomer && isNew) {
      c.unread += 1;
    }
    renderConversationList();
  }

  /** A step on an outbound message's way: queued, sent, delivered, failed (with why). */
  function onDelivery(f) {
    const c = S.convs.get(f.conversation_id);
    const m = c && c.messages.get(f.message_id);
    if (!m) return;
    const order = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, read: 4 };
    if (!m.delivery_status || order[f.status] >= order[m.delivery_status]) {
      m.delivery_status = f.status;
      m.delivery_error = f.error || null;
    }
    if (f.status === 'failed') toast('A message was not delivered: ' + (f.error || 'unknown error'), 'error');
    if (f.conversation_id === S.selectedId) renderThread();
  }

  function onConsent(f) {
    const c = f.conversation_id && S.convs.get(f.conversation_id);
    if (!c) return;
    c.optedOut = !!f.opted_out;
    if (f.conversation_id === S.selectedId) renderSelected();
  }

  function onNote(f) {
    if (f.agent_id && f.agent_name) rememberAgent(f.agent_id, f.agent_name);
    // Notes are shown in the customer timeline (refreshed via touchTimeline).
  }

  function onCustomerTyping(f) {
    const c = S.convs.get(f.conversation_id);
    if (!c) return;
    c.customerTyping = !!f.typing;
    clearTimeout(c.typingTimer);
    // A lost "typing: false" must not leave the indicator on forever.
    if (c.customerTyping) {
      c.typingTimer = setTimeout(() => { c.customerTyping = false; renderTyping(); }, CUSTOMER_TYPING_TTL_MS);
    }
    if (f.conversation_id === S.selectedId) renderTyping();
  }

  // ------------------------------------------------------------------ selection

  function selectConversation(id) {
    const c = S.convs.get(id);
    if (!c) return;
    if (S.selectedId !== id) {
      stopTypingOut();
      // Keep unsent drafts per conversation so switching never loses text.
      const prev = S.selectedId && S.convs.get(S.selectedId);
      if (prev) prev.draft = $('reply-input').value;
      $('reply-input').value = c.draft || '';
    }
    S.selectedId = id;
    c.unread = 0;
    renderAll();
    loadConversation(id);
    S.timeline.customerId = c.conv.customer_id;
    clear($('timeline'));
    clear($('customer-info'));
    scheduleTimelineRefresh(0);
    loadDirectory(false);
    setTimeout(() => $('reply-input').focus(), 0);
  }

  function deselect() {
    stopTypingOut();
    S.selectedId = null;
    S.timeline.customerId = null;
    clear($('timeline'));
    clear($('customer-info'));
    renderSelected();
  }

  /** Merge the REST history into the live store (live frames may already be there). */
  async function loadConversation(id) {
    const seq = ++S.selectSeq;
    try {
      const data = await api('GET', '/api/v1/conversations/' + encodeURIComponent(id));
      const c = S.convs.get(id);
      if (!c || seq !== S.selectSeq) return;
      if (data.conversation) {
        // The stream is authoritative for status/assignee; REST only fills gaps.
        c.conv = Object.assign({}, data.conversation, c.conv);
      }
      for (const raw of data.messages || []) {
        const m = normalizeMessage(raw);
        if (!m.message_id || c.messages.has(m.message_id)) continue;
        c.messages.set(m.message_id, m);
        if (m.agent_id && m.agent_name) rememberAgent(m.agent_id, m.agent_name);
      }
      const last = Array.from(c.messages.values()).sort(byTime).pop();
      if (last) c.lastText = last.text;
      if (id === S.selectedId) { renderSelected(); renderConversationList(); }
    } catch (e) {
      handleApiError(e, 'Could not load the conversation');
    }
  }

  function byTime(a, b) {
    return timeValue(a.created_at) - timeValue(b.created_at);
  }

  // ------------------------------------------------------------------ rendering: selected conversation

  function renderAll() {
    renderConversationList();
    renderOffers();
    renderSelected();
  }

  function renderSelected() {
    const c = S.selectedId ? S.convs.get(S.selectedId) : null;
    $('no-selection').hidden = !!c;
    $('conv-view').hidden = !c;
    if (!c) return;
    const conv = c.conv;
    const resolved = conv.status === 'resolved';
    $('conv-title').textContent = conv.customer_name || 'Customer';
    $('conv-meta').textContent = [conv.channel, conv.contact, conv.queue, conv.status, conv.subject,
      conv.linked_to ? 'linked to ' + conv.linked_to : null].filter(Boolean).join(' · ');
    const banner = $('conv-banner');
    const notice = resolved ? 'This conversation is resolved.'
      : c.optedOut ? 'The customer opted out of texts from us (STOP). Replies are refused until they text START.' : '';
    banner.hidden = !notice;
    banner.textContent = notice;
    for (const id of ['reply-input', 'transfer-target', 'transfer-send', 'resolve']) $(id).disabled = resolved;
    $('reply-form').querySelector('button').disabled = resolved;
    renderThread();
    renderTyping();
    renderTransferTargets();
  }

  function renderThread() {
    const c = S.selectedId ? S.convs.get(S.selectedId) : null;
    const thread = $('thread');
    if (!c) { clear(thread); return; }
    // Stick to the bottom only if the agent has not scrolled up to read history.
    const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    const items = Array.from(c.messages.values()).sort(byTime).concat(Array.from(c.pending.values()));
    const frag = document.createDocumentFragment();
    for (const m of items) frag.appendChild(buildMessage(m));
    clear(thread);
    thread.appendChild(frag);
    if (atBottom || thread.dataset.rendered !== S.selectedId) thread.scrollTop = thread.scrollHeight;
    thread.dataset.rendered = S.selectedId;
  }

  function buildMessage(m) {
    const who = m.author === 'customer' ? 'customer' : m.author === 'system' ? 'system' : 'agent';
    const label = who === 'customer' ? (S.convs.get(S.selectedId).conv.customer_name || 'Customer')
      : who === 'system' ? 'System'
        : (m.agent_id && S.me && m.agent_id === S.me.id ? 'You' : (m.agent_name || 'Agent'));
    const stateText = m.state === 'pending' ? 'sending…'
      : m.state === 'failed' ? 'not sent' + (m.error ? ': ' + m.error : '')
        : deliveryText(m);
    return el('div', {
      class: 'msg msg-' + who + ' msg-' + m.state, testid: 'message',
      attrs: { 'data-state': m.state, 'data-message-id': m.message_id || null, 'data-client-id': m.client_id || null },
    },
    el('div', { class: 'msg-text', text: m.text }),
    emailParts(m),
    attachmentList(m.attachments),
    el('div', { class: 'msg-meta' },
      el('span', { text: label }),
      m.created_at ? el('span', { text: ' · ' + fmtTime(m.created_at) }) : null,
      stateText ? el('span', {
        class: 'msg-state' + (m.delivery_status === 'failed' || m.delivery_status === 'undelivered' ? ' msg-failed' : ''),
        testid: 'delivery', text: ' · ' + stateText,
      }) : null));
  }

  /** What an email carries beyond its new text: a parse problem, who wrote it when that is
   *  not the customer, the formatted version (HTML the hub sanitized with nh3 on arrival),
   *  the quoted history, and files left out for their size. */
  function emailParts(m) {
    const meta = m.meta || {};
    if (m.channel !== 'email' || m.direction === 'out') return null;
    const parts = [];
    if (meta.parse_error) {
      const raw = String(meta.raw || '');
      parts.push(el('div', { class: 'msg-warning', testid: 'parse-error' },
        el('span', { text: 'Could not parse fully: ' + meta.parse_error + ' ' }),
        raw.startsWith('/') ? el('a', { text: 'original mail', attrs: { href: raw, target: '_blank', rel: 'noopener noreferrer' } }) : null));
    }
    const conv = S.convs.get(S.selectedId);
    if (meta.from && conv && meta.from !== conv.conv.contact) {
      parts.push(el('div', { class: 'msg-from muted', text: 'From ' + (meta.from_name ? meta.from_name + ' <' + meta.from + '>' : meta.from) }));
    }
    if (m.html) {
      const body = el('div', { class: 'msg-html', testid: 'message-html' });
      body.innerHTML = m.html; // sanitized by the hub (nh3) before it was stored
      parts.push(el('details', {}, el('summary', { text: 'Formatted' }), body));
    }
    if (meta.quoted) {
      parts.push(el('details', {}, el('summary', { text: 'Quoted history' }),
        el('pre', { class: 'msg-quoted', text: String(meta.quoted) })));
    }
    for (const a of Array.isArray(meta.attachments_omitted) ? meta.attachments_omitted : []) {
      parts.push(el('div', { class: 'muted', text: (a.name || 'attachment') + ' (' + a.size + ' bytes) not kept: ' + (a.reason || '') }));
    }
    return parts.length ? el('div', { class: 'msg-email' }, ...parts) : null;
  }

  function deliveryText(m) {
    if (!m.delivery_status) return '';
    const failed = m.delivery_status === 'failed' || m.delivery_status === 'undelivered';
    return m.delivery_status + (failed && m.delivery_error ? ': ' + m.delivery_error : '');
  }

  /** Files on a message (MMS media, email parts, voicemail), as links: only http(s) URLs or
   *  our own paths get an href, so a crafted URL cannot run script. */
  function attachmentList(attachments) {
    if (!attachments || !attachments.length) return null;
    return el('ul', { class: 'msg-attachments' }, ...attachments.map((a) => {
      const url = String(a.url || '');
      const safe = /^https?:\/\//i.test(url) || url.startsWith('/');
      const label = (a.name || 'attachment') + (a.content_type ? ' (' + a.content_type + ')' : '');
      return el('li', {}, safe
        ? el('a', { text: label, attrs: { href: url, target: '_blank', rel: 'noopener noreferrer' } })
        : el('span', { text: label }));
    }));
  }

  function renderTyping() {
    const c = S.selectedId ? S.convs.get(S.selectedId) : null;
    const on = !!(c && c.customerTyping && c.conv.status !== 'resolved');
    const node = $('typing');
    node.hidden = !on;
    if (on) node.textContent = (c.conv.customer_name || 'Customer') + ' is typing…';
  }

  function updateTitle() {
    let unread = 0;
    for (const c of S.convs.values()) unread += c.unread;
    const n = unread + S.offers.size;
    document.title = (n ? '(' + n + ') ' : '') + 'ContactHub — Agent console';
  }

  // ------------------------------------------------------------------ composer

  function onReplySubmit(ev) {
    ev.preventDefault();
    const input = $('reply-input');
    const text = input.value.trim();
    const c = S.selectedId ? S.convs.get(S.selectedId) : null;
    if (!text || !c || c.conv.status === 'resolved') return;
    const clientId = window.CH.uuid();
    const frame = { type: 'reply', conversation_id: c.conv.id, client_id: clientId, text };
    c.pending.set(clientId, {
      message_id: null, client_id: clientId, author: 'agent', direction: 'out',
      agent_id: S.me && S.me.id, agent_name: S.me && S.me.name,
      text, created_at: new Date().toISOString(), state: 'pending',
    });
    // Queued until acked: if the socket is down now it goes out after reconnect.
    S.outbox.set(clientId, frame);
    if (!S.resume) socket.send(frame);
    input.value = '';
    c.draft = '';
    stopTypingOut();
    renderThread();
    $('thread').scrollTop = $('thread').scrollHeight;
  }

  function onReplyKeydown(ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('reply-form').requestSubmit();
    }
  }

  function onReplyInput() {
    const id = S.selectedId;
    if (!id) return;
    const t = S.typingOut;
    if (t.convId !== id) stopTypingOut();
    const now = Date.now();
    if (t.convId !== id || now - t.lastSent > TYPING_SEND_EVERY_MS) {
      if (socket.send({ type: 'typing', conversation_id: id, typing: true })) {
        t.convId = id;
        t.lastSent = now;
      }
    }
    clearTimeout(t.idleTimer);
    t.idleTimer = setTimeout(stopTypingOut, TYPING_IDLE_MS);
  }

  function stopTypingOut() {
    const t = S.typingOut;
    clearTimeout(t.idleTimer);
    if (t.convId) socket.send({ type: 'typing', conversation_id: t.convId, typing: false });
    t.convId = null;
    t.lastSent = 0;
  }

  function onNoteSubmit(ev) {
    ev.preventDefault();
    const input = $('note-input');
    const text = input.value.trim();
    if (!text || !S.selectedId) return;
    const clientId = window.CH.uuid();
    const frame = { type: 'note', conversation_id: S.selectedId, text, client_id: clientId };
    S.outbox.set(clientId, frame);
    if (!S.resume && !socket.send(frame)) toast('Offline — the note will be saved once reconnected', 'info');
    input.value = '';
  }

  function onResolve() {
    const id = S.selectedId;
    if (!id) return;
    if (sendFrame({ type: 'resolve', conversation_id: id })) {
      const b = $('resolve');
      b.disabled = true;
      setTimeout(() => renderSelected(), 5000);
    }
  }

  // ------------------------------------------------------------------ transfer

  async function loadDirectory(force) {
    const d = S.directory;
    if (!force && Date.now() - d.loadedAt < DIRECTORY_TTL_MS) { renderTransferTargets(); return; }
    d.loadedAt = Date.now();
    try {
      const [agents, queues] = await Promise.all([
        api('GET', '/api/v1/agents'),
        api('GET', '/api/v1/queues'),
      ]);
      d.agents = (agents && agents.agents) || [];
      d.queues = (queues && queues.queues) || [];
      for (const a of d.agents) rememberAgent(a.id, a.name);
      renderTransferTargets();
    } catch (e) {
      d.loadedAt = 0;
      handleApiError(e, 'Could not load agents and queues');
    }
  }

  function renderTransferTargets() {
    const sel = $('transfer-target');
    // Rebuilding the options closes an open dropdown; only do it when they change.
    const signature = JSON.stringify([S.me && S.me.id,
      S.directory.agents.map((a) => [a.id, a.name, a.status]), S.directory.queues.map((q) => q.name)]);
    if (sel.dataset.signature === signature) return;
    sel.dataset.signature = signature;
    const keep = sel.value;
    clear(sel);
    sel.appendChild(el('option', { text: 'Transfer to…', attrs: { value: '' } }));
    const agents = S.directory.agents.filter((a) => !S.me || a.id !== S.me.id);
    if (agents.length) {
      const g = el('optgroup', { attrs: { label: 'Agents' } });
      for (const a of agents) {
        g.appendChild(el('option', { text: a.name + ' (' + (a.status || 'unknown') + ')', attrs: { value: 'agent:' + a.id } }));
      }
      sel.appendChild(g);
    }
    const queues = S.directory.queues;
    if (queues.length) {
      const g = el('optgroup', { attrs: { label: 'Queues' } });
      for (const q of queues) g.appendChild(el('option', { text: 'Queue: ' + q.name, attrs: { value: 'queue:' + q.name } }));
      sel.appendChild(g);
    }
    if (Array.from(sel.options).some((o) => o.value === keep)) sel.value = keep;
  }

  function onTransfer() {
    const id = S.selectedId;
    const value = $('transfer-target').value;
    if (!id || !value) { toast('Pick an agent or a queue to transfer to', 'info'); return; }
    const sep = value.indexOf(':');
    const kind = value.slice(0, sep);
    const target = value.slice(sep + 1);
    const frame = { type: 'transfer', conversation_id: id };
    if (kind === 'agent') frame.to_agent_id = target;
    else frame.to_queue = target;
    if (sendFrame(frame)) $('transfer-target').value = '';
  }

  // ------------------------------------------------------------------ timeline

  function rememberAgent(id, name) {
    if (id && name) S.agentNames.set(id, name);
  }

  function agentLabel(id, fallbackName) {
    if (!id) return fallbackName || 'an agent';
    if (S.me && id === S.me.id) return 'you';
    return S.agentNames.get(id) || fallbackName || 'an agent';
  }

  /** Refresh the open timeline when an event concerns the selected customer. */
  function touchTimeline(f) {
    const customerId = S.timeline.customerId;
    if (!customerId) return;
    const convId = f.conversation_id || (f.conversation && f.conversation.id);
    const c = convId ? S.convs.get(convId) : null;
    const offered = f.conversation && f.conversation.customer_id === customerId;
    if (f.customer_id === customerId || offered || (c && c.conv.customer_id === customerId)) {
      scheduleTimelineRefresh(TIMELINE_REFRESH_DEBOUNCE_MS);
    }
  }

  function scheduleTimelineRefresh(delay) {
    clearTimeout(S.timeline.timer);
    S.timeline.timer = setTimeout(loadTimeline, delay);
  }

  async function loadTimeline() {
    const customerId = S.timeline.customerId;
    if (!customerId) return;
    const seq = ++S.timeline.seq;
    try {
      const data = await api('GET', '/api/v1/customers/' + encodeURIComponent(customerId) + '/timeline');
      if (seq !== S.timeline.seq || customerId !== S.timeline.customerId) return;
      renderCustomer(data.customer);
      renderTimeline(data.entries || []);
    } catch (e) {
      handleApiError(e, 'Could not load the customer timeline');
    }
  }

  function renderCustomer(cust) {
    const box = $('customer-info');
    clear(box);
    if (!cust) return;
    box.appendChild(el('div', { class: 'customer-name', text: cust.display_name || 'Customer' }));
    if (cust.email) box.appendChild(el('div', { class: 'muted', text: cust.email }));
    const c = S.selectedId ? S.convs.get(S.selectedId) : null;
    for (const idn of cust.identities || []) {
      const out = idn.opted_out_at ? ' (opted out ' + fmtTime(idn.opted_out_at) + ')' : '';
      box.appendChild(el('div', { class: 'muted small', text: idn.kind + ': ' + idn.address + out }));
      if (c && c.conv.contact === idn.address && !!idn.opted_out_at !== !!c.optedOut) {
        c.optedOut = !!idn.opted_out_at;
        renderSelected();
      }
    }
    if (cust.created_at) box.appendChild(el('div', { class: 'muted small', text: 'Customer since ' + fmtTime(cust.created_at) }));
  }

  function renderTimeline(entries) {
    const list = $('timeline');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const frag = document.createDocumentFragment();
    for (const e of entries) {
      const p = e.payload || {};
      const here = e.conversation_id && e.conversation_id === S.selectedId;
      frag.appendChild(el('li', {
        class: 'tl-entry tl-' + e.kind + (here ? ' tl-current' : ''), testid: 'timeline-entry',
        attrs: { 'data-kind': e.kind },
      },
      el('div', { class: 'tl-head' },
        el('span', { class: 'tl-kind', text: kindLabel(e.kind) }),
        p.channel ? el('span', { class: 'tag', text: p.channel }) : null,
        el('time', { class: 'tl-time', text: fmtTime(e.at), attrs: { datetime: e.at } })),
      el('div', { class: 'tl-text', text: describeEntry(e.kind, p) })));
    }
    clear(list);
    list.appendChild(frag);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function capitalize(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  function kindLabel(kind) {
    const labels = {
      conversation_opened: 'Opened', message: 'Message', offer: 'Offer', offer_closed: 'Offer closed',
      assigned: 'Assigned', unassigned: 'Unassigned', transferred: 'Transfer', note: 'Note',
      status: 'Status', presence: 'Presence', delivery: 'Delivery', consent: 'Consent', call: 'Call',
    };
    return labels[kind] || kind;
  }

  function describeEntry(kind, p) {
    const conv = p.conversation || {};
    switch (kind) {
      case 'conversation_opened':
        return 'Conversation opened' + (conv.channel ? ' on ' + conv.channel : '') + (conv.queue ? ' in queue ' + conv.queue : '');
      case 'message': {
        const who = p.author === 'customer' ? 'Customer' : p.author === 'system' ? 'System' : agentLabel(p.agent_id, p.agent_name);
        return capitalize(who) + ': ' + (p.text || '');
      }
      case 'offer':
        return 'Offered to ' + agentLabel(p.agent_id);
      case 'offer_closed': {
        const who = agentLabel(p.agent_id);
        const why = p.reason ? ' (' + p.reason + ')' : '';
        if (p.outcome === 'accepted') return 'Accepted by ' + who;
        if (p.outcome === 'rejected') return 'Rejected by ' + who + why;
        if (p.outcome === 'timeout') return 'Offer to ' + who + ' timed out';
        if (p.outcome === 'cancelled') return 'Offer to ' + who + ' cancelled' + why;
        return 'Offer to ' + who + ' closed' + why;
      }
      case 'assigned':
        return 'Assigned to ' + agentLabel(p.agent_id, conv.assignee_name) + (p.via === 'reassign' ? ' by a supervisor' : '');
      case 'unassigned':
        return 'Unassigned from ' + agentLabel(p.agent_id) + (p.reason ? ' (' + p.reason + ')' : '');
      case 'transferred': {
        const to = p.to_agent_id ? agentLabel(p.to_agent_id) : p.to_queue ? 'queue ' + p.to_queue : 'another queue';
        return 'Transferred from ' + agentLabel(p.from_agent_id) + ' to ' + to +
          (p.by_agent_id && p.by_agent_id !== p.from_agent_id ? ' by ' + agentLabel(p.by_agent_id) : '');
      }
      case 'note':
        return capitalize(agentLabel(p.agent_id, p.agent_name)) + ' noted: ' + (p.text || '');
      case 'status':
        return 'Status changed to ' + (p.status || '?') + (p.agent_id ? ' by ' + agentLabel(p.agent_id) : '');
      case 'delivery':
        return 'Reply ' + (p.status || '?') + (p.error ? ': ' + p.error : '') +
          (p.attempts > 1 ? ' (attempt ' + p.attempts + ')' : '');
      case 'consent':
        return (p.opted_out ? 'Opted out of ' : 'Opted back in to ') + (p.kind || '') + ' ' +
          (p.address || '') + ' (' + (p.keyword || '') + ')';
      case 'call': {
        const parts = ['Call ' + (p.status || '?')];
        if (p.agent_name || p.agent_id) parts.push('agent ' + agentLabel(p.agent_id, p.agent_name));
        if (p.duration_seconds != null) parts.push(p.duration_seconds + ' s');
        if (p.detail) parts.push(p.detail);
        if (p.recording_url) parts.push(p.recording_url);
        return parts.join(' · ');
      }
      default:
        return kind;
    }
  }

  // ------------------------------------------------------------------ REST errors

  function handleApiError(e, what) {
    if (e instanceof window.CH.ApiError && e.status === 401) {
      onSocketFatal(4401);
      return;
    }
    toast(what + ': ' + (e.message || 'network error'), 'error');
  }

  // ------------------------------------------------------------------ session lifecycle

  function startSession(agent) {
    if (agent && (!S.me || S.me.id !== agent.id)) {
      resetState();
      S.me = agent;
      rememberAgent(agent.id, agent.name);
    }
    window.CH.showView(views, 'app');
    renderMe();
    renderAll();
    socket.start();
  }

  async function onLogout(ev) {
    ev.preventDefault();
    socket.stop();
    await window.CH.logout();
    resetState();
    renderAll();
    setConn('offline');
    const agent = await window.CH.promptLogin(views);
    startSession(agent);
  }

  function bindUi() {
    $('presence').addEventListener('change', onPresenceChange);
    $('logout').addEventListener('click', onLogout);
    $('reply-form').addEventListener('submit', onReplySubmit);
    $('reply-input').addEventListener('keydown', onReplyKeydown);
    $('reply-input').addEventListener('input', onReplyInput);
    $('reply-input').addEventListener('blur', () => stopTypingOut());
    $('note-form').addEventListener('submit', onNoteSubmit);
    $('resolve').addEventListener('click', onResolve);
    $('transfer-send').addEventListener('click', onTransfer);
    $('transfer-target').addEventListener('focus', () => loadDirectory(false));
    setInterval(tickOffers, 500);
  }

  async function main() {
    bindUi();
    const agent = await window.CH.requireLogin(views);
    startSession(agent);
  }

  main();
})();
