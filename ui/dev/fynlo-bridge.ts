// A development-only bridge so the UI can run in an ordinary browser without the Tauri shell.
//
// Inside Tauri the UI calls the `execute` command over IPC. In a plain browser (headless Chromium for the
// memory benchmark, or a developer who wants the browser's devtools) there is no IPC, so `vite dev` and
// `vite preview` can run `fynlo exec` as a child process and forward `POST /__fynlo/execute` to it, one JSON
// line per command. It is switched on only by `FYNLO_BRIDGE_DB=<database>`; the binary is `FYNLO_BIN` or
// the workspace's debug build. It is never part of the built app.
//
// Any web page the developer's browser opens can post to localhost, so the bridge answers only requests
// that are plainly the till's own (`bridgeVerdict`): they carry the bridge's header, which a page on
// another origin cannot send without a CORS preflight (never answered here); their `Host` is the dev
// server's own (not another name pointed at this machine: DNS rebinding); and their `Origin`, when the
// browser sends one, is that same host. Everything else gets 403.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';
import { BRIDGE_HEADER, BRIDGE_HEADER_VALUE, BRIDGE_PATH } from '../src/lib/bridge';

/** What the UI receives: the same shapes Tauri resolves or rejects with. */
type Outcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** One `fynlo exec` process; commands are answered strictly in order, one line each. */
class ExecProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private waiting: Array<(outcome: Outcome) => void> = [];

  constructor(
    private readonly bin: string,
    private readonly db: string,
  ) {}

  run(command: unknown): Promise<Outcome> {
    const child = this.ensure();
    return new Promise((resolveOutcome) => {
      this.waiting.push(resolveOutcome);
      // JSON.stringify never emits a raw newline, so one command is exactly one line.
      child.stdin.write(JSON.stringify(command) + '\n');
    });
  }

  stop(): void {
    // Closing stdin ends the script, which saves every open order before `fynlo exec` exits.
    this.child?.stdin.end();
    this.child = null;
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.bin, ['--db', this.db, 'exec'], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line) as { ok: boolean; cmd: string; result?: unknown; error?: Outcome };
      // The final `save` record answers no request.
      if (record.cmd === 'save' && this.waiting.length === 0) return;
      const answer = this.waiting.shift();
      answer?.(record as unknown as Outcome);
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[fynlo] ${chunk.toString()}`));
    child.on('exit', (code) => {
      process.stderr.write(`[fynlo] exec exited with ${code}\n`);
      for (const answer of this.waiting.splice(0)) {
        answer({ ok: false, error: { code: 'storage', message: `fynlo exec exited with ${code}` } });
      }
      if (this.child === child) this.child = null;
    });
    this.child = child;
    return child;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolveBody(body));
    req.on('error', reject);
  });
}

/** The parts of a request the bridge judges it by. */
export interface BridgeRequest {
  readonly method?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Whether the bridge answers a request; when not, why (for the 403 and the dev server's log). */
export type BridgeVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Host names a dev server on this machine answers to without being told to. */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** One value of a header (Node joins repeated ones into a list for a few; a list here is refused). */
function header(req: BridgeRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** The host name of a `Host` header, without its port: `localhost:5173` → `localhost`, `[::1]:5173` → `[::1]`. */
function hostName(host: string): string {
  const v6 = /^(\[[^\]]*\])(:\d+)?$/.exec(host);
  if (v6?.[1]) return v6[1].toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/**
 * Does the bridge answer this request? Only a POST carrying `X-Fynlo-Bridge: 1`, to a `Host` that is this
 * machine (or one of `allowedHosts`, the server's `allowedHosts` setting; `true` allows any), and whose
 * `Origin`, when present, is that same host over http or https. A missing `Origin` is allowed: browsers
 * send one on every cross-origin request, so only a same-origin request (or a tool like curl) lacks it.
 */
export function bridgeVerdict(
  req: BridgeRequest,
  allowedHosts: readonly string[] | true = [],
): BridgeVerdict {
  if (req.method !== 'POST') return { ok: false, reason: 'only POST is answered' };
  if (header(req, BRIDGE_HEADER) !== BRIDGE_HEADER_VALUE) {
    return { ok: false, reason: `the ${BRIDGE_HEADER} header is missing` };
  }
  const host = header(req, 'host')?.trim();
  if (!host) return { ok: false, reason: 'no Host header' };
  const name = hostName(host);
  const allowed =
    allowedHosts === true ||
    LOCAL_HOSTS.includes(name) ||
    name.endsWith('.localhost') ||
    allowedHosts.some((h) =>
      h.startsWith('.') ? name === h.slice(1) || name.endsWith(h) : name === h.toLowerCase(),
    );
  if (!allowed) return { ok: false, reason: `host ${name} is not this dev server` };
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    const own = [`http://${host}`, `https://${host}`].map((o) => o.toLowerCase());
    if (!own.includes(origin.toLowerCase()))
      return { ok: false, reason: `origin ${origin} is not ${own[0]}` };
  }
  return { ok: true };
}

function middleware(
  exec: ExecProcess,
  allowedHosts: () => readonly string[] | true,
): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    if (req.url !== BRIDGE_PATH) return next();
    const verdict = bridgeVerdict(req, allowedHosts());
    if (!verdict.ok) {
      process.stderr.write(`[fynlo] bridge refused a request: ${verdict.reason}\n`);
      res.statusCode = 403;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: false, error: { code: 'invalid_input', message: verdict.reason } }));
      return;
    }
    readBody(req)
      .then((body) => exec.run(JSON.parse(body)))
      .then((outcome) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(outcome));
      })
      .catch((e: unknown) => {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: false, error: { code: 'invalid_input', message: String(e) } }));
      });
  };
}

/** The Vite plugin; inert unless `FYNLO_BRIDGE_DB` is set. */
export function fynloBridge(): Plugin {
  const db = process.env.FYNLO_BRIDGE_DB;
  const bin = process.env.FYNLO_BIN ?? resolve(import.meta.dirname, '../../target/debug/fynlo');
  let exec: ExecProcess | null = null;
  const start = (): ExecProcess | null => {
    if (!db) return null;
    if (!existsSync(bin)) throw new Error(`FYNLO_BRIDGE_DB is set but ${bin} does not exist (set FYNLO_BIN)`);
    exec ??= new ExecProcess(bin, db);
    return exec;
  };
  return {
    name: 'fynlo-bridge',
    apply: () => Boolean(db),
    configureServer(server) {
      const e = start();
      if (e) server.middlewares.use(middleware(e, () => hostsOf(server.config.server)));
      server.httpServer?.on('close', () => e?.stop());
    },
    configurePreviewServer(server) {
      const e = start();
      if (e) server.middlewares.use(middleware(e, () => hostsOf(server.config.preview)));
      server.httpServer?.on('close', () => e?.stop());
    },
  };
}

/** The host names a server was told to answer to besides this machine's: `allowedHosts` and `host`. */
function hostsOf(config: {
  allowedHosts?: string[] | true;
  host?: string | boolean;
}): readonly string[] | true {
  if (config.allowedHosts === true) return true;
  const hosts = [...(config.allowedHosts ?? [])];
  if (typeof config.host === 'string') hosts.push(config.host);
  return hosts;
}
