// Lint with type information, for the bugs the type checker lets through: a
// promise nobody awaits or catches ends the runner on Node 20 (unhandled
// rejection), and a promise handed to a callback that expects a plain value is
// never awaited. `npm run typecheck` runs this after tsc.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** node:test runs a file's top-level tests itself and reports their failures; their promises need no handler. */
const NODE_TEST = [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }];

export default defineConfig(
  { ignores: ['**/node_modules/**', '**/dist/**', 'docs/.vitepress/cache/**', 'test-artifacts/**', '.data/**'] },
  {
    files: ['runner/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.mts', 'docs/.vitepress/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // The first project that includes a file types it: the theme with DOM types,
        // everything else with Node types (runner/src/common's own check stays in tsc).
        project: ['./docs/.vitepress/theme/tsconfig.json', './tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: NODE_TEST }],
      '@typescript-eslint/no-misused-promises': 'error',
      // Terminal output is full of escape codes: a control character in a pattern is marked as meant
      // (eslint-disable-next-line no-control-regex), which these files already do.
      'no-control-regex': 'error',
    },
  },
  {
    // The runner is a long-lived process serving every learner: a background task goes
    // through fireAndForget (util/unexpected-error.ts), which logs its failure with where
    // it came from; `void` would only hide the rejection from this check.
    files: ['runner/src/node/**/*.ts'],
    ignores: ['runner/src/node/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: NODE_TEST, ignoreVoid: false }],
    },
  },
);
