// @ts-check
/* The console page's fixed elements (console.html), looked up once and typed. */

import { $ } from '../common.js';

export function consoleDom() {
  return {
    conn: $('conn'),
    meBox: $('me-box'),
    meName: $('me-name'),
    meStatus: $('me-status'),
    presence: $('presence', HTMLSelectElement),
    logout: $('logout'),
    loginView: $('login-view'),
    appView: $('app-view'),
    offers: $('offers'),
    offersCount: $('offers-count'),
    offersEmpty: $('offers-empty'),
    conversations: $('conversations'),
    conversationsEmpty: $('conversations-empty'),
    noSelection: $('no-selection'),
    convView: $('conv-view'),
    convTitle: $('conv-title'),
    convMeta: $('conv-meta'),
    transferTarget: $('transfer-target', HTMLSelectElement),
    transferSend: $('transfer-send', HTMLButtonElement),
    resolve: $('resolve', HTMLButtonElement),
    thread: $('thread'),
    typing: $('typing'),
    banner: $('conv-banner'),
    replyForm: $('reply-form', HTMLFormElement),
    replyInput: $('reply-input', HTMLTextAreaElement),
    noteForm: $('note-form', HTMLFormElement),
    noteInput: $('note-input', HTMLTextAreaElement),
    customerInfo: $('customer-info'),
    timeline: $('timeline'),
    timelineEmpty: $('timeline-empty'),
    customerBox: $('customer-box'),
    pastBar: $('past-bar'),
    pastText: $('past-text'),
    pastClose: $('past-close', HTMLButtonElement),
    composer: $('composer'),
    modeReply: $('mode-reply', HTMLButtonElement),
    modeNote: $('mode-note', HTMLButtonElement),
    searchForm: $('search-form', HTMLFormElement),
    searchInput: $('search-input', HTMLInputElement),
    searchEmpty: $('search-empty'),
    paneInboxCount: $('pane-inbox-count'),
    convBack: $('conv-back', HTMLButtonElement),
    themeToggle: $('theme-toggle', HTMLButtonElement),
    notifyEnable: $('notify-enable', HTMLButtonElement),
    helpOpen: $('help-open', HTMLButtonElement),
    shortcutsDialog: $('shortcuts-dialog', HTMLDialogElement),
  };
}

/** @typedef {ReturnType<typeof consoleDom>} ConsoleDom */
