// @ts-check
/*
 * Loaded as a classic script in <head>, before the stylesheet paints: applies the theme the
 * agent chose (localStorage "contacthub.theme": light | dark; absent = follow the system) so
 * a dark page never flashes light. theme.js owns the toggle; both read the same key.
 */
(function applyStoredTheme() {
  try {
    const choice = localStorage.getItem('contacthub.theme');
    if (choice === 'light' || choice === 'dark') document.documentElement.dataset.theme = choice;
  } catch {
    // Storage blocked (privacy mode): follow the system.
  }
})();
