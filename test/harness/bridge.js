// window.loupe for the browser harness: the same LoupeBridge the Electron
// preload exposes, carried over HTTP to a real createCore() in Node.
(() => {
  const post = (path, body, headers) =>
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  window.loupe = Object.freeze({
    async invoke(command, input) {
      const response = await post('/__harness/invoke', JSON.stringify({ command, input }));
      return response.json();
    },
    onState(callback) {
      const source = new EventSource('/__harness/state');
      source.onmessage = (event) => callback(JSON.parse(event.data));
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
