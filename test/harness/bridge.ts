/**
 * window.loupe for the browser harness: the same LoupeBridge the Electron
 * preload exposes, carried over HTTP to a real createCore() in Node. The
 * harness server bundles this file with Vite into one classic script that runs
 * before the app.
 */
import type { AppState, CommandInput, CommandName, CommandOutput, CommandResult, LoupeBridge } from '../../electron/contract';
import { BROWSER_EVENT } from './protocol';

(() => {
  // The harness has no system browser to hand URLs to: offer the link instead.
  function showBrowserLink(url: string) {
    let banner = document.getElementById('harness-browser');
    if (!banner) {
      banner = document.createElement('div');
      banner.id = 'harness-browser';
      banner.setAttribute('role', 'status');
      banner.style.cssText =
        'position:fixed;bottom:12px;right:12px;z-index:99;max-width:420px;padding:10px 14px;border-radius:10px;background:#1f2937;color:#fff;font:13px system-ui;box-shadow:0 4px 16px rgb(0 0 0/30%)';
      document.body.append(banner);
    }
    banner.textContent = 'Harness: Loupe asked to open your browser. ';
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'Open the sign-in page';
    link.style.color = '#6ee7b7';
    const owner = banner;
    link.addEventListener('click', () => setTimeout(() => owner.remove(), 0));
    banner.append(link);
  }

  const bridge: LoupeBridge = {
    async invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<CommandOutput<C>>> {
      const response = await fetch('/__harness/invoke', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command, input }),
      });
      return (await response.json()) as CommandResult<CommandOutput<C>>;
    },
    onState(callback: (state: AppState) => void) {
      const source = new EventSource('/__harness/state');
      let lastPhase = 'idle';
      source.onmessage = (event: MessageEvent<string>) => {
        const state = JSON.parse(event.data) as AppState;
        const phase = state.signIn.phase;
        // The attempt ended: its link is stale.
        if (phase === 'idle' && lastPhase !== 'idle') document.getElementById('harness-browser')?.remove();
        lastPhase = phase;
        callback(state);
      };
      source.addEventListener(BROWSER_EVENT, (event) => showBrowserLink(JSON.parse((event as MessageEvent<string>).data) as string));
      return () => source.close();
    },
    // A page has no paths for its Files: each is uploaded to the harness, which keeps it in a folder of its own,
    // then staged on the harness's stand-in for the preload's drop channel (it accepts only paths it uploaded).
    async stageDropped(files: readonly File[]): Promise<CommandResult<void>> {
      const paths: string[] = [];
      for (const file of files) {
        const response = await fetch(`/__harness/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
        if (!response.ok) throw new Error(`upload failed: ${response.status}`);
        paths.push(((await response.json()) as { path: string }).path);
      }
      const response = await fetch('/__harness/dropped', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paths }),
      });
      return (await response.json()) as CommandResult<void>;
    },
  };
  Object.defineProperty(window, 'loupe', { value: Object.freeze(bridge), enumerable: true });
})();
