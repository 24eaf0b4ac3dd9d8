import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/architecture.md), as lint rules: `layer(dir, forbidden, message)` forbids every file under `src/<dir>`
 * to import from `src/<forbidden>`. Imports are relative, so the rule is written per folder depth: from
 * `src/kernel/x.ts` the modules are `../modules/…`, from `src/modules/ingest/x.ts` the http layer is `../../http/…`.
 * A regular expression per depth matches exactly the paths that climb to `src/` and go down into a forbidden folder,
 * and nothing else (a sibling named like a layer, a package) is caught.
 */
const MAX_DEPTH = 6;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function layer(dir, forbidden, message) {
  const below = dir.split('/').length;
  return Array.from({ length: MAX_DEPTH }, (_, k) => ({
    files: [`src/${dir}/${'*/'.repeat(k)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: `^(\\.\\./){${below + k}}(${forbidden.map(escape).join('|')})(/|$)`, message }],
        },
      ],
    },
  }));
}

/** Files under `src/<dir>` import nothing outside it (the emulator could ship as its own package). */
function selfContained(dir, message) {
  const below = dir.split('/').length;
  return Array.from({ length: MAX_DEPTH }, (_, k) => ({
    files: [`src/${dir}/${'*/'.repeat(k)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./){${below + k}}`, message }] }],
    },
  }));
}

/** Files that call commands, never repositories (the CLI, the sandbox). */
function noRepositories(dir, message) {
  return {
    files: [`src/${dir}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '\\.repository(\\.ts)?$', message }] }] },
  };
}

const ABOVE_THE_KERNEL = ['modules', 'app', 'http', 'cli', 'sandbox'];
const foundation = (dir) =>
  layer(
    dir,
    ['kernel', ...ABOVE_THE_KERNEL],
    `src/${dir} is a foundation: it imports no kernel, module, app, http, cli or sandbox code (docs/architecture.md)`,
  );

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.pagescope*/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  ...selfContained('emulator', 'the emulator imports nothing outside src/emulator (it could ship as its own package)'),
  ...['platform', 'crypto', 'db', 'lib', 'config'].flatMap(foundation),
  ...layer(
    'kernel',
    ABOVE_THE_KERNEL,
    'the kernel is below the modules: it imports no module, nor app, http, cli or sandbox (docs/architecture.md)',
  ),
  ...layer(
    'modules',
    ['http', 'app', 'cli', 'sandbox'],
    'a module imports no http, app, cli or sandbox code: they call it, not the other way (docs/architecture.md)',
  ),
  noRepositories('cli', 'the CLI calls commands, never repositories (docs/architecture.md)'),
  noRepositories('sandbox', 'the sandbox calls commands, never repositories (docs/architecture.md)'),
);
