// @ts-check
/*
 * Keyboard shortcuts, listed in console.html's #shortcuts-dialog (opened with `?`):
 * a accept the top offer, x reject it, j / k next / previous conversation, r reply, n note,
 * e resolve, / search. None fires while the agent types in a text box or a picker; there,
 * Escape leaves the box so the keys work again.
 */

/** @import { Ctx } from './context.js' */

/**
 * What the keys do; main.js wires them to the actions.
 * @typedef {object} ShortcutActions
 * @property {(accept: boolean) => void} decideTopOffer
 * @property {(step: 1 | -1) => void} move
 * @property {() => void} reply
 * @property {() => void} note
 * @property {() => void} resolve
 * @property {() => void} search
 */

/** @param {EventTarget | null} target */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/**
 * @param {ShortcutActions} actions
 * @returns {Record<string, () => void>}
 */
function keyMap(actions) {
  return {
    a: () => actions.decideTopOffer(true),
    x: () => actions.decideTopOffer(false),
    j: () => actions.move(1),
    k: () => actions.move(-1),
    r: actions.reply,
    n: actions.note,
    e: actions.resolve,
    '/': actions.search,
  };
}

/**
 * @param {Ctx} ctx
 * @param {ShortcutActions} actions
 */
export function bindShortcuts(ctx, actions) {
  const keys = keyMap(actions);
  const dialog = ctx.dom.shortcutsDialog;
  ctx.dom.helpOpen.addEventListener('click', () => dialog.showModal());
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (isTyping(ev.target)) {
      if (ev.key === 'Escape' && ev.target instanceof HTMLElement) ev.target.blur();
      return;
    }
    if (dialog.open || ctx.dom.appView.hidden) return; // the dialog closes itself on Escape
    if (ev.key === '?') {
      ev.preventDefault();
      dialog.showModal();
      return;
    }
    const run = keys[ev.key];
    if (!run) return;
    ev.preventDefault();
    run();
  });
}
