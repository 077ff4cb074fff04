// ESLint flat config for the browser code in agents_ui/static (docs/frontend.md) and the
// build script. `npm run lint`; CI runs it after the Python checks (.ci/run).
import js from '@eslint/js';
import globals from 'globals';

const noMarkup = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: 'Customer text goes in through textContent; markup only where the hub sanitized it, with a comment saying so.' },
  { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]", message: 'No markup strings: build nodes with el().' },
];

export default [
  { ignores: ['node_modules/', '.ci/', 'var/', 'build/', 'agents_ui/static/widget.js', 'agents_ui/static/vendor/'] },
  js.configs.recommended,
  {
    files: ['agents_ui/static/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
      'no-throw-literal': 'error',
      'no-shadow': 'error',
      'no-use-before-define': ['error', { functions: false, classes: true, variables: false }],
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-console': ['error', { allow: ['error', 'warn', 'info'] }],
      'no-restricted-syntax': ['error', ...noMarkup],
      'no-restricted-globals': ['error', { name: 'CH', message: 'window.CH is gone: import from common.js.' }],
    },
  },
  {
    files: ['eslint.config.js', 'agents_ui/web/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
];
