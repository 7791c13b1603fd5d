// A development-only bridge so the UI can run in an ordinary browser without the Tauri shell.
//
// Inside Tauri the UI calls the `execute` command over IPC. In a plain browser (headless Chromium for the
// memory benchmark, or a developer who wants the browser's devtools) there is no IPC, so `vite dev` and
// `vite preview` can run `fynlo exec` as a child process and forward `POST /__fynlo/execute` to it, one JSON
// line per command. It is switched on only by `FYNLO_BRIDGE_DB=<database>`; the binary is `FYNLO_BIN` or
// the workspace's debug build. It is never part of the built app.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';

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

function middleware(exec: ExecProcess): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    if (req.url !== '/__fynlo/execute' || req.method !== 'POST') return next();
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
      if (e) server.middlewares.use(middleware(e));
      server.httpServer?.on('close', () => e?.stop());
    },
    configurePreviewServer(server) {
      const e = start();
      if (e) server.middlewares.use(middleware(e));
      server.httpServer?.on('close', () => e?.stop());
    },
  };
}
