/**
 * The import boundaries in eslint.config.js are only worth having if they fire.
 * Each case lints a snippet as if it lived at a (virtual) path in the tree and
 * checks that the boundary rule reports it, or that an allowed import passes.
 * Type-aware rules are switched off here: the snippets are not in any tsconfig,
 * and only the boundary rules are under test.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: repo,
    // No type information (what typescript-eslint's disableTypeChecked sets), and only the boundary rules run.
    overrideConfig: { languageOptions: { parserOptions: { project: false, program: null, projectService: false } } },
    ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
  });
});

/** The boundary messages for `code` placed at `path` (relative to the repo root); fails on a parse error. */
async function boundaryHits(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repo, path) });
  if (!result) throw new Error('ESLint returned no result');
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${path}: ${fatal.message}`);
  return result.messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => m.message);
}

type Case = [path: string, code: string];

const forbidden: Record<string, Case[]> = {
  'electron/core never imports electron, the shell or main': [
    ['electron/core/x.ts', "import { app } from 'electron';"],
    ['electron/core/x.ts', "import type { App } from 'electron';"],
    ['electron/core/x.ts', "export { app } from 'electron/main';"],
    ['electron/core/accounts/session.ts', "import { net } from 'electron';"],
    ['electron/core/x.ts', "import { createTray } from '../shell/tray';"],
    ['electron/core/accounts/repository.ts', "import { openElectronStore } from '../../shell/electron-store';"],
    ['electron/core/analysis/run/engine.ts', "import * as shell from '../../../shell';"],
    ['electron/core/x.ts', "import '../main';"],
    ['electron/core/kernel/deps.ts', "import { boot } from '../../main.ts';"],
    ['electron/core/x.ts', "const { app } = await import('electron');"],
    ['electron/core/x.ts', "const { app } = require('electron');"],
    ['electron/core/kernel/store.ts', "import Store from 'electron-store';"],
    ['electron/core/x.ts', "import { autoUpdater } from 'electron-updater';"],
    ['electron/core/x.ts', "import { App } from '../../renderer/App';"],
    ['electron/core/x.ts', "import { fakeClock } from '../../test/support/manual-clock';"],
  ],
  'the core’s lowest rooms import only the rooms below them': [
    // kernel/ stands under every room; dispatch once imported the composition root for a type.
    ['electron/core/kernel/dispatch.ts', "import type { Core } from '../index';"],
    ['electron/core/kernel/deps.ts', "import type { Account } from '../accounts/vault/vault-schema';"],
    // oauth/ is the protocol, under sign-in/ and accounts/.
    ['electron/core/oauth/code-exchange.ts', "import type { SignedInIdentity } from '../accounts/repository';"],
    ['electron/core/oauth/profile.ts', "import { SignInAttempt } from '../sign-in/attempt';"],
    ['electron/core/oauth/refresh.ts', "export { accountCommands } from '../commands/accounts';"],
    // accounts/ never reaches up into sign-in/ or the command tables.
    ['electron/core/accounts/accounts.ts', "import type { AuthController } from '../sign-in/controller';"],
    ['electron/core/accounts/session.ts', "import { accountCommands } from '../commands/accounts';"],
    ['electron/core/accounts/readiness.ts', "import type { ModelCatalog } from '../models/catalogue';"],
    ['electron/core/accounts/vault/vault.ts', "import { AccountRepository } from '../repository';"],
    ['electron/core/accounts/vault/vault-file.ts', "import { customPlan } from '../../sign-in/custom-sign-in';"],
    // sign-in/ saves through accounts/ but never imports a command table or another domain.
    ['electron/core/sign-in/controller.ts', "import { authCommands } from '../commands/auth';"],
    ['electron/core/sign-in/attempt.ts', "import type { ModelCatalog } from '../models/catalogue';"],
    ['electron/core/sign-in/attempt.ts', "import { createCore } from '../index';"],
  ],
  'renderer reaches electron/ only through the contract': [
    ['renderer/x.tsx', "import { createCore } from '../electron/core/index';"],
    ['renderer/screens/account/AccountScreen.tsx', "import { trayModel } from '../../../electron/core/tray/tray-model';"],
    ['renderer/screens/account/AccountScreen.tsx', "import type { Clock } from '../../../electron/core/kernel/deps';"],
    ['renderer/App.tsx', "import { createTray } from '../electron/shell/tray';"],
    ['renderer/App.tsx', "import '../electron/main';"],
    ['renderer/App.tsx', "import '../electron/preload';"],
    ['renderer/App.tsx', "import * as all from '../electron';"],
    ['renderer/App.tsx', "import { CHANNELS } from '../electron/contract-extra';"],
    // The parts behind the barrel are the contract's own business: the renderer imports electron/contract.
    ['renderer/App.tsx', "import { CHANNELS } from '../electron/contract/channels';"],
  ],
  'renderer never imports electron or Node': [
    ['renderer/App.tsx', "import { ipcRenderer } from 'electron';"],
    ['renderer/ipc/call.ts', "import type { IpcRendererEvent } from 'electron';"],
    ['renderer/App.tsx', "import { readFile } from 'node:fs/promises';"],
    ['renderer/App.tsx', "import { join } from 'path';"],
    ['renderer/App.tsx', "import { readFileSync } from 'fs';"],
    ['renderer/App.tsx', "const e = await import('electron');"],
  ],
  'renderer uses react and react-dom only from npm': [
    ['renderer/App.tsx', "import { z } from 'zod';"],
    ['renderer/App.tsx', "import OpenAI from 'openai';"],
    ['renderer/App.tsx', "import { test } from '@playwright/test';"],
    ['renderer/App.tsx', "import Store from 'electron-store';"],
  ],
  'preload imports electron and the contract only': [
    ['electron/preload.ts', "import { createCore } from './core/index';"],
    ['electron/preload.ts', "import { join } from 'node:path';"],
    ['electron/preload.ts', "import { z } from 'zod';"],
    ['electron/preload.ts', "import { serveRenderer } from './shell/serve-renderer';"],
  ],
  'the contract imports zod only': [
    ['electron/contract.ts', "import { randomUUID } from 'node:crypto';"],
    ['electron/contract.ts', "import { LoupeError } from './core/kernel/errors';"],
    ['electron/contract.ts', "import type { BrowserWindow } from 'electron';"],
    ['electron/contract.ts', "export * from './main';"],
    ['electron/contract.ts', "export { createCore } from './core/index';"],
    ['electron/contract/errors.ts', "import { randomUUID } from 'node:crypto';"],
    ['electron/contract/commands.ts', "import { LoupeError } from '../core/kernel/errors';"],
    ['electron/contract/app-state.ts', "import type { BrowserWindow } from 'electron';"],
    ['electron/contract/bridge.ts', "export * from '../preload';"],
  ],
  'the main process never imports the renderer or tests': [
    ['electron/main.ts', "import { App } from '../renderer/App';"],
    ['electron/shell/tray.ts', "import { nodeDeps } from '../../test/support/node-deps';"],
  ],
};

const allowed: Record<string, Case[]> = {
  'electron/core': [
    ['electron/core/x.ts', "import { z } from 'zod';\nimport { join } from 'node:path';\nimport * as oauth from 'oauth4webapi';"],
    [
      'electron/core/accounts/repository.ts',
      "import { writeFileAtomic } from '../kernel/atomic-file';\nimport type { TokenSet } from '../oauth/token-set';\nimport type { AppState } from '../../contract';",
    ],
    ['electron/core/index.ts', "import { accountCommands } from './commands/accounts';"],
    [
      'electron/core/kernel/dispatch.ts',
      "import { type CommandResult, commands } from '../../contract';\nimport { toCommandError } from './errors';",
    ],
    [
      'electron/core/oauth/refresh.ts',
      "import * as oauth from 'oauth4webapi';\nimport { oauthError } from './errors';\nimport { LoupeError } from '../kernel/errors';\nimport type { ErrorCode } from '../../contract';",
    ],
    [
      'electron/core/accounts/vault/vault.ts',
      "import { readVaultFile } from './vault-file';\nimport type { Cipher } from '../../kernel/deps';\nimport { TokenSetSchema } from '../../oauth/token-set';\nimport type { Notice } from '../../../contract';",
    ],
    [
      'electron/core/sign-in/chatgpt-sign-in.ts',
      "import type { AccountRepository } from '../accounts/repository';\nimport { exchangeCode } from '../oauth/code-exchange';\nimport { LoupeError } from '../kernel/errors';\nimport { startLoopbackListener } from './loopback';",
    ],
    [
      'electron/core/commands/auth.ts',
      "import type { Accounts } from '../accounts/accounts';\nimport type { AuthController } from '../sign-in/controller';\nimport type { ModelCatalog } from '../models/catalogue';",
    ],
    ['electron/core/analysis/run/engine.ts', "import { classify } from '../api/classify';"],
    ['electron/core/x.ts', "// Electron's shell adapts this\nexport const electronFree = true;"],
  ],
  renderer: [
    ['renderer/main.tsx', "import { StrictMode } from 'react';\nimport { createRoot } from 'react-dom/client';\nimport './styles/tokens.css';"],
    ['renderer/App.tsx', "import { jsx } from 'react/jsx-runtime';\nimport type { AppState } from '../electron/contract';"],
    [
      'renderer/screens/account/AccountScreen.tsx',
      "import { COMMANDS } from '../../../electron/contract';\nimport { useCommand } from '../../ipc/useCommand';",
    ],
    ['renderer/screens/account/Expiry.tsx', "import { Button } from '../../components/Button';\nimport styles from './Expiry.module.css';"],
  ],
  preload: [
    ['electron/preload.ts', "import { contextBridge, ipcRenderer } from 'electron';\nimport { CHANNELS, type LoupeBridge } from './contract';"],
  ],
  contract: [
    ['electron/contract.ts', "export * from './contract/errors';\nexport * from './contract/commands';"],
    [
      'electron/contract/commands.ts',
      "import { z } from 'zod';\nimport { THEMES } from './vocabularies';\nimport type { AppState } from './app-state';",
    ],
  ],
  'shell and main': [
    [
      'electron/shell/tray.ts',
      "import { Tray } from 'electron';\nimport { trayModel } from '../core/tray/tray-model';\nimport type { AppState } from '../contract';",
    ],
    ['electron/main.ts', "import { app } from 'electron';\nimport { createCore } from './core/index';\nimport { createTray } from './shell/tray';"],
    ['electron/shell/electron-store.ts', "import Store from 'electron-store';\nimport type { KeyValueStore } from '../core/kernel/deps';"],
  ],
  tests: [
    [
      'test/unit/x.test.ts',
      "import { app } from 'electron';\nimport { createCore } from '../../electron/core/index';\nimport { readFile } from 'node:fs/promises';",
    ],
    ['test/e2e/x.spec.ts', "import { test } from '@playwright/test';\nimport { App } from '../../renderer/App';"],
  ],
};

describe('lint import boundaries', () => {
  for (const [boundary, cases] of Object.entries(forbidden)) {
    describe(boundary, () => {
      it.each(cases)('%s: %s is reported', async (path, code) => {
        expect(await boundaryHits(path, code)).not.toEqual([]);
      });
    });
  }

  for (const [area, cases] of Object.entries(allowed)) {
    describe(`allowed in ${area}`, () => {
      it.each(cases)('%s: %s passes', async (path, code) => {
        expect(await boundaryHits(path, code)).toEqual([]);
      });
    });
  }

  it('gives one specific message per violation', async () => {
    const [message, ...rest] = await boundaryHits('renderer/App.tsx', "import { app } from 'electron';");
    expect(rest).toEqual([]);
    expect(message).toMatch(/electron/);
    expect(await boundaryHits('renderer/App.tsx', "import { z } from 'zod';")).toEqual([expect.stringMatching(/react and react-dom only/)]);
  });
});
