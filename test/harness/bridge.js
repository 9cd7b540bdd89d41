// window.loupe for the browser harness: the same LoupeBridge the Electron
// preload exposes, carried over HTTP to a real createCore() in Node.
(() => {
  // The harness has no system browser to hand URLs to: offer the link instead.
  function showBrowserLink(url) {
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
    link.addEventListener('click', () => setTimeout(() => banner.remove(), 0));
    banner.append(link);
  }

  const post = (path, body, headers) =>
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  window.loupe = Object.freeze({
    async invoke(command, input) {
      const response = await post('/__harness/invoke', JSON.stringify({ command, input }));
      return response.json();
    },
    onState(callback) {
      const source = new EventSource('/__harness/state');
      let lastPhase = 'idle';
      source.onmessage = (event) => {
        const state = JSON.parse(event.data);
        const phase = state.signIn ? state.signIn.phase : 'idle';
        // The attempt ended: its link is stale.
        if (phase === 'idle' && lastPhase !== 'idle') document.getElementById('harness-browser')?.remove();
        lastPhase = phase;
        callback(state);
      };
      source.addEventListener('open', (event) => showBrowserLink(JSON.parse(event.data)));
      return () => source.close();
    },
    async pathsForFiles(files) {
      const paths = [];
      for (const file of files) {
        const response = await fetch(`/__harness/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
        if (!response.ok) throw new Error(`upload failed: ${response.status}`);
        paths.push((await response.json()).path);
      }
      return paths;
    },
  });
})();
