// The one door to the Rust core: every command goes through `run`, and nothing else calls `invoke`.
//
// Inside the Tauri app, `execute` resolves with a `Reply` or rejects with an `AppError` (`{code, message}`).
// In a plain browser (development, or the headless-Chromium benchmark) the Vite dev bridge
// (ui/dev/fynlo-bridge.ts) answers the same commands over HTTP with the same shapes.

import { invoke, isTauri } from '@tauri-apps/api/core';
import type { AppError, Command, Reply } from './bindings';
import { BRIDGE_HEADER, BRIDGE_HEADER_VALUE, BRIDGE_PATH } from './bridge';
import { isErrorCode, type UiErrorCode } from './errors';

/** A failed command, with the code the UI chooses its message by. */
export class TillError extends Error {
  override readonly name = 'TillError';

  constructor(
    readonly code: UiErrorCode,
    message: string,
    /** For `locked_out`: the seconds until PIN entry opens again. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Turns whatever a failed call rejected with into a `TillError`. */
export function toTillError(reason: unknown): TillError {
  if (reason instanceof TillError) return reason;
  if (typeof reason === 'object' && reason !== null && 'code' in reason) {
    const { code, message, retry_after } = reason as Partial<AppError> & {
      code: unknown;
      retry_after?: unknown;
    };
    if (isErrorCode(code)) {
      const text = typeof message === 'string' ? message : code;
      const wait =
        typeof retry_after === 'number' && Number.isSafeInteger(retry_after) && retry_after >= 0
          ? retry_after
          : undefined;
      return new TillError(code, text, wait);
    }
  }
  // Tauri rejects with a plain string when the command itself cannot be reached (missing permission,
  // IPC failure); `fetch` rejects with a TypeError when the dev bridge is down.
  const text = reason instanceof Error ? reason.message : String(reason);
  return new TillError('unreachable', text);
}

/** Runs a command through the dev bridge, for a browser without Tauri. */
async function viaBridge(command: Command): Promise<Reply> {
  const response = await fetch(BRIDGE_PATH, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [BRIDGE_HEADER]: BRIDGE_HEADER_VALUE },
    body: JSON.stringify(command),
  });
  if (response.status === 404) {
    throw new TillError('unreachable', 'no Tauri and no dev bridge: run with FYNLO_BRIDGE_DB set');
  }
  if (response.status === 403) {
    throw new TillError(
      'unreachable',
      'the dev bridge refused the request (open the till from the dev server)',
    );
  }
  const outcome = (await response.json()) as { ok: true; result: Reply } | { ok: false; error: AppError };
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/** Runs one command; rejects with a `TillError`. */
export async function run(command: Command): Promise<Reply> {
  try {
    return isTauri() ? await invoke<Reply>('execute', { command }) : await viaBridge(command);
  } catch (reason) {
    throw toTillError(reason);
  }
}

/** The reply of one `type`. */
export type ReplyOf<T extends Reply['type']> = Extract<Reply, { type: T }>;

/** Runs a command whose reply must be of one type (e.g. `order`), so callers get it typed. */
export async function runExpecting<T extends Reply['type']>(command: Command, type: T): Promise<ReplyOf<T>> {
  const reply = await run(command);
  if (reply.type !== type) {
    throw new TillError('unexpected', `${command.cmd} answered ${reply.type}, expected ${type}`);
  }
  return reply as ReplyOf<T>;
}
