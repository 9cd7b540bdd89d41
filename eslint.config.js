// @ts-check
/**
 * ESLint flat config. Besides the usual correctness rules it guards the import
 * boundaries of docs/architecture.md, so a wrong import fails `npm run lint`
 * (and CI) instead of waiting for review:
 *
 *   renderer/**          React, react-dom, its own files and electron/contract only
 *   electron/contract.ts the barrel: re-exports electron/contract/* only
 *   electron/contract/*  zod and each other only (compiled into both sides)
 *   electron/preload.ts  `electron` and the contract only
 *   electron/core/**     never `electron` (nor electron-store & co.), electron/shell/**, electron/main
 *     kernel/            the contract only: every room stands on it
 *     oauth/             kernel/ and the contract: the protocol, under sign-in and accounts
 *     accounts/vault/    kernel/, oauth/ and the contract: the bottom of accounts/
 *     accounts/          kernel/, oauth/ and the contract: never sign-in/, commands/ or a domain above
 *     sign-in/           kernel/, oauth/, accounts/ and the contract: its outcome is saved through accounts/
 *   electron/**          never renderer/** or test/**
 *
 * The boundaries are `no-restricted-imports` regexes over the import specifier
 * (relative paths included), so they hold at any folder depth. They see static
 * `import` / `export … from`; dynamic `import()` and `require()` of `electron`
 * are caught by `no-restricted-syntax` in the core and the renderer.
 * test/unit/lint-boundaries.test.ts proves each rule fires.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/** Node's built-in modules by bare name (`fs`, `path`, …); `node:*` is matched by a regex. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_') && !m.startsWith('node:'));

// ---------------------------------------------------------------------------
// Import boundaries. Each entry is one `patterns` item of no-restricted-imports.
// A later `files` block replaces the rule's options, so each block lists all of its own.
// ---------------------------------------------------------------------------

/** `electron` (the npm package) and its subpaths. `electron-store` etc. are other packages. */
const ELECTRON_PACKAGE = {
  regex: '^electron(/.*)?$',
  caseSensitive: true,
  message: 'The `electron` package belongs to electron/main.ts, electron/shell/** and electron/preload.ts only.',
};

/** npm packages that load `electron` themselves, so they are shell-only too. */
const ELECTRON_ONLY_PACKAGES = {
  regex: '^(electron-store|electron-updater|electron-log|@electron/remote)(/.*)?$',
  caseSensitive: true,
  message: 'This package loads `electron` itself: wrap it in an electron/shell adapter and hand the core an interface (CoreDeps).',
};

/** A relative path that climbs into the shell, or to main.ts, from inside electron/core. */
const CORE_TO_SHELL_OR_MAIN = {
  regex: '^(\\.\\.?/)+(\\.\\./)*(shell(/.*)?|main(\\.[cm]?[jt]s)?)$',
  caseSensitive: true,
  message:
    'electron/core is Electron-free: it must not import electron/shell/** or electron/main. The shell adapts the core (CoreDeps), not the other way round.',
};

/**
 * The core's lowest rooms, by the first step of a relative path out of the room. A regex cannot tell
 * `../x` in one folder from another, so each rule is for files at one depth (see the blocks below).
 */
const CORE_ROOM = (name, allowed, message) => ({
  regex: `^\\.\\./(?!${[...allowed, '\\.\\./contract(\\.ts)?$'].join('|')})`,
  caseSensitive: true,
  message: `${name} ${message}`,
});
const KERNEL_ROOM = CORE_ROOM('electron/core/kernel/', [], 'stands under every room: it imports the contract only.');
const OAUTH_ROOM = CORE_ROOM(
  'electron/core/oauth/',
  ['kernel/'],
  'is the OAuth protocol: it imports kernel/ and the contract only. sign-in/ and accounts/ use it, never the other way round.',
);
const ACCOUNTS_ROOM = CORE_ROOM(
  'electron/core/accounts/',
  ['kernel/', 'oauth/'],
  'owns the vault and sessions: it imports kernel/, oauth/ and the contract only. sign-in/ saves through it; what joins the two lives in commands/ or index.ts.',
);
/** accounts/vault/ is one level deeper: `../` is accounts/ itself, and the rooms are `../../`. */
const VAULT_ROOM = {
  regex: '^\\.\\./(?!\\.\\./(kernel/|oauth/|\\.\\./contract(\\.ts)?$))',
  caseSensitive: true,
  message:
    'electron/core/accounts/vault/ is the bottom of accounts/: it imports kernel/, oauth/ and the contract only, never the repository or sessions above it.',
};
const SIGN_IN_ROOM = CORE_ROOM(
  'electron/core/sign-in/',
  ['kernel/', 'oauth/', 'accounts/'],
  'imports kernel/, oauth/, accounts/ (where a sign-in is saved) and the contract only, never commands/ or another domain.',
);

/** From electron/**: anything under renderer/ or test/ (both live beside electron/ at the repo root). */
const ELECTRON_TO_RENDERER_OR_TEST = {
  regex: '^(\\.\\./)+(renderer|test)(/.*)?$',
  caseSensitive: true,
  message:
    'The main process must not import from renderer/ or test/. Shared types belong in electron/contract.ts; test doubles come in through CoreDeps.',
};

/** From renderer/**: any relative path into electron/ other than electron/contract. */
const RENDERER_TO_ELECTRON_INTERNALS = {
  regex: '^(\\.\\./)+electron(/(?!contract(\\.ts)?$).*)?$',
  caseSensitive: true,
  message: 'The renderer reaches the main process only through electron/contract (types, command names) and window.loupe at run time.',
};

/** From renderer/**: Node built-ins in either spelling. */
const NODE_MODULES_ANY = {
  regex: `^(node:.*|(${NODE_BUILTINS.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(/.*)?)$`,
  caseSensitive: true,
  message: 'The renderer is sandboxed (no Node integration): Node built-ins do not exist there.',
};

/** From renderer/**: npm packages other than react and react-dom (electron and node:* have their own messages). */
const RENDERER_NPM_ALLOWLIST = {
  regex: '^(?!react(/|$)|react-dom(/|$)|electron(/|$)|node:)[^./]',
  caseSensitive: true,
  message:
    'The renderer depends on react and react-dom only. A new runtime dependency for the renderer is an architecture decision: add it to the allowlist in eslint.config.js with a reason.',
};

/** electron/preload.ts: `electron` and ./contract, nothing else (it is bundled into one sandboxed CommonJS file). */
const PRELOAD_ALLOWLIST = {
  regex: '^(?!electron$|\\./contract(\\.ts)?$)',
  caseSensitive: true,
  message:
    'electron/preload.ts imports only `electron` and ./contract: a sandboxed preload cannot load modules, and every extra import widens the bridge.',
};

/** electron/contract.ts: the barrel over electron/contract/*, nothing else; it is compiled into the renderer too. */
const CONTRACT_ALLOWLIST = {
  regex: '^(?!\\./contract/[\\w-]+(\\.ts)?$)',
  caseSensitive: true,
  message: 'electron/contract.ts is shared with the renderer: it only re-exports electron/contract/* (no Node, no electron, no core modules).',
};

/** electron/contract/*: zod and each other only; compiled into the renderer too. */
const CONTRACT_PARTS_ALLOWLIST = {
  regex: '^(?!zod(/|$)|\\./[\\w-]+(\\.ts)?$)',
  caseSensitive: true,
  message: 'electron/contract/* is shared with the renderer: it imports zod and its sibling files only (no Node, no electron, no core modules).',
};

/** What nothing in electron/core may import. */
const CORE_PATTERNS = [ELECTRON_PACKAGE, ELECTRON_ONLY_PACKAGES, CORE_TO_SHELL_OR_MAIN, ELECTRON_TO_RENDERER_OR_TEST];

/** `import('electron')` and `require('electron')`, which no-restricted-imports does not see. */
const DYNAMIC_ELECTRON = [
  {
    selector: 'ImportExpression[source.value=/^electron(\\u002F.*)?$/]',
    message: ELECTRON_PACKAGE.message,
  },
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value=/^electron(\\u002F.*)?$/]",
    message: ELECTRON_PACKAGE.message,
  },
];

/** @param {Array<Record<string, unknown>>} patterns */
const restrict = (patterns) => ['error', { patterns }];

export default defineConfig(
  globalIgnores(['dist/', 'out/', 'node_modules/', 'test-results/', 'playwright-report/', 'coverage/', '.cache/', 'test/fixtures/', 'build/icons/']),

  // --- Every file -----------------------------------------------------------
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Strict equality everywhere; `== null` stays allowed as the idiom for "null or undefined".
      eqeqeq: ['error', 'smart'],
      // A `let` that a closure reads before its one assignment (the tray's update callback) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },

  // --- TypeScript (type-aware: the project has three tsconfigs, projectService finds each file's one) ---
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A dropped promise is the bug class that matters most here (refresh, journal writes, IPC); `void p` marks a deliberate one.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // React's onClick={async () => …} is fine: the handler's promise is deliberately not awaited by React.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // `_`-prefixed names are deliberate placeholders (unused parameters of an interface, skipped tuple slots).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // The typechecker already forbids undefined names; the core rule misfires on type-only globals.
      'no-undef': 'off',
      // Off: 63 hits on the current tree, nearly all `async` functions that implement a Promise-returning interface
      // (adapters, stand-ins) without awaiting. Correct code; dropping `async` would turn their throws into sync throws.
      '@typescript-eslint/require-await': 'off',
      // Off: adapters and hooks here are object literals of arrow functions (Clock, deps, useCommand's result), so
      // passing `clock.now` or destructuring `{ run }` cannot lose `this`; the rule cannot tell them from class methods.
      '@typescript-eslint/unbound-method': 'off',
      // `reject(signal.reason)` is the idiomatic abort (fetch does the same); the reason is typed `any`.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },

  // --- Electron main process (main, shell, core, preload, contract): Node ---
  {
    files: ['electron/**/*.ts', 'vite.config.ts', 'build/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },

  // --- electron/** (default for main.ts and shell/): no renderer, no tests ---
  {
    files: ['electron/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([ELECTRON_TO_RENDERER_OR_TEST]),
    },
  },

  // --- electron/core/**: Electron-free ---
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(CORE_PATTERNS),
      'no-restricted-syntax': ['error', ...DYNAMIC_ELECTRON],
    },
  },

  // --- The core's lowest rooms: each imports only the rooms below it (docs/architecture.md) ---
  ...[
    ['electron/core/kernel/*.ts', KERNEL_ROOM],
    ['electron/core/oauth/*.ts', OAUTH_ROOM],
    ['electron/core/accounts/*.ts', ACCOUNTS_ROOM],
    ['electron/core/accounts/vault/*.ts', VAULT_ROOM],
    ['electron/core/sign-in/*.ts', SIGN_IN_ROOM],
  ].map(([files, room]) => ({
    files: [files],
    rules: { '@typescript-eslint/no-restricted-imports': restrict([...CORE_PATTERNS, room]) },
  })),

  // --- electron/preload.ts: electron + contract ---
  {
    files: ['electron/preload.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([PRELOAD_ALLOWLIST]),
    },
  },

  // --- electron/contract.ts: the barrel over electron/contract/* ---
  {
    files: ['electron/contract.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([CONTRACT_ALLOWLIST]),
    },
  },

  // --- electron/contract/*: zod and each other ---
  {
    files: ['electron/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([CONTRACT_PARTS_ALLOWLIST]),
    },
  },

  // --- renderer/**: browser, React, hooks, accessibility; imports through the contract only ---
  {
    files: ['renderer/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended, jsxA11y.flatConfigs.recommended],
    languageOptions: {
      globals: { ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict([
        ELECTRON_PACKAGE,
        NODE_MODULES_ANY,
        RENDERER_TO_ELECTRON_INTERNALS,
        RENDERER_NPM_ALLOWLIST,
      ]),
      'no-restricted-syntax': ['error', ...DYNAMIC_ELECTRON],
    },
  },

  // --- Tests, stand-in servers, harness, bench: Node (and the browser for e2e page code) ---
  {
    files: ['test/**/*.{ts,tsx,js}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Test doubles and fixtures poke at untyped JSON bodies and SDK internals on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(obj.method).toHaveBeenCalled() and spies pass methods around unbound by design.
      '@typescript-eslint/unbound-method': 'off',
      // `as any` to build deliberately invalid input is what a test of a validator does.
      '@typescript-eslint/no-explicit-any': 'off',
      // Empty callbacks (`() => {}`) are the natural no-op listener / swallowed cleanup in tests.
      '@typescript-eslint/no-empty-function': 'off',
      // The stand-in servers stringify oidc-provider's loosely typed request parameters on purpose.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['test/e2e/**/*.ts', 'test/harness/bridge.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Playwright fixtures that use no other fixture are written `async ({}, use) => …` by its API.
      'no-empty-pattern': 'off',
    },
  },

  // --- Plain JavaScript (this file, the harness bridge): no type information ---
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['eslint.config.js', 'test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
