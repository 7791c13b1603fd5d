// What the UI and the dev-only Vite bridge (ui/dev/fynlo-bridge.ts) agree on when the UI runs in a plain
// browser: the path commands are posted to, and the header that marks a request as the till's own.
//
// The header is what keeps other web pages out: a page on another origin cannot add a custom header to a
// POST without a CORS preflight, and the bridge never answers one, so a request that carries it came from
// a page the dev server itself served.

/** Where the bridge answers commands. */
export const BRIDGE_PATH = '/__fynlo/execute';

/** The header every bridge request carries, and its value. */
export const BRIDGE_HEADER = 'X-Fynlo-Bridge';
export const BRIDGE_HEADER_VALUE = '1';
