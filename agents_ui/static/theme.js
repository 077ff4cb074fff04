// @ts-check
/*
 * Light, dark or system theme, shared by the console and the supervisor page. The colours
 * are CSS custom properties in style.css written with light-dark(); the chosen theme only
 * sets <html data-theme>, which pins `color-scheme`. "system" removes it, and the page
 * follows prefers-color-scheme live. theme-boot.js applies the stored choice before paint.
 */

const KEY = 'contacthub.theme';

/** @typedef {'light' | 'dark' | 'system'} ThemeChoice */

/** @type {ThemeChoice[]} */
const ORDER = ['system', 'light', 'dark'];

/** @type {Record<ThemeChoice, string>} */
const LABELS = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

/** @type {Record<ThemeChoice, string>} */
const ICONS = { system: '◐', light: '☀', dark: '☾' };

/** @returns {ThemeChoice} */
export function storedTheme() {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** @param {ThemeChoice} choice */
export function applyTheme(choice) {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage blocked: the choice lasts for this page only.
  }
}

/**
 * Make a button cycle system → light → dark, showing the current choice.
 * @param {HTMLButtonElement} button
 */
export function bindThemeToggle(button) {
  /** @param {ThemeChoice} choice */
  const show = (choice) => {
    button.dataset.themeChoice = choice;
    button.textContent = ICONS[choice];
    button.title = LABELS[choice] + ' (click to change)';
    button.setAttribute('aria-label', LABELS[choice]);
  };
  show(storedTheme());
  button.addEventListener('click', () => {
    const next = ORDER[(ORDER.indexOf(storedTheme()) + 1) % ORDER.length];
    applyTheme(next);
    show(next);
  });
}
