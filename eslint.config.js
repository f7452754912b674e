// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The core is pure: no I/O, no ambient clock or randomness. These rules keep it so.
const pureCore = {
  files: ['src/core/**/*.ts', 'src/ports/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['node:*'], message: 'src/core and src/ports are pure: reach the outside through a port.' },
        { group: ['**/adapters/**'], message: 'The core never depends on adapters.' },
      ],
    }],
    'no-restricted-globals': ['error',
      { name: 'process', message: 'Inject what you need from process.' },
      { name: 'setTimeout', message: 'Use the injected Timers port.' },
      { name: 'setInterval', message: 'Use the injected Timers port.' },
      { name: 'Buffer', message: 'The core is runtime-neutral.' },
    ],
    'no-restricted-properties': ['error',
      { object: 'Date', property: 'now', message: 'Use the injected Clock port.' },
      { object: 'Math', property: 'random', message: 'Inject randomness.' },
      { object: 'performance', property: 'now', message: 'Use the injected Clock port.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  pureCore,
  {
    // Only the composition root builds adapters: adapters never import each other.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!\\.\\./(core|ports)/)', message: 'An adapter imports only its own folder, the core and the ports; wire adapters together in src/main.ts.' }],
      }],
    },
  },
);
