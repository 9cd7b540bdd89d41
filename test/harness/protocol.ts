/** Names the harness server and its bridge share. */

/** The server-sent event carrying a URL the core asked to open; not `open`, which EventSource fires itself on connect. */
export const BROWSER_EVENT = 'harness-browser';
