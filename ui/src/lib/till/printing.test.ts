// The printing store against a scripted core: the status poll (and that locking stops it), set-up that
// needs a manager's PIN, and what the till says after a receipt is sent.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command, PrinterConfig, PrintersView } from '../bindings';

const sent: Command[] = [];
let answer: (command: Command) => unknown = () => {
  throw new Error('no answer scripted');
};

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => true,
  invoke: async (_name: string, args: { command: Command }) => {
    sent.push(args.command);
    await Promise.resolve();
    return answer(args.command);
  },
}));

const { till } = await import('../till.svelte');
const { POLL_MS } = await import('./printing.svelte');

const front: PrinterConfig = {
  id: 'front',
  name: 'Front counter',
  transport: { type: 'tcp', host: '10.0.0.5' },
  language: 'escpos',
  width: 48,
  code_page: 'pc858',
  cut: 'partial',
  stations: [],
  receipts: true,
  auto_print: true,
  status_check: true,
  qr: 'native',
};

const printers = (): { type: 'printers' } & PrintersView => ({
  type: 'printers',
  printers: [{ config: front, waiting: 0 }],
  waiting: [],
});

/** Lets the queued promises run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

beforeEach(() => {
  sent.length = 0;
  till.printing.reset();
  till.queue.error = null;
  till.approval.cancel();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('printer status', () => {
  it('polls while watched, and stops when the till is locked', async () => {
    vi.useFakeTimers();
    answer = (c) =>
      c.cmd === 'logout'
        ? { type: 'session', staff: null, current_order: null, pin_locked_for: null }
        : printers();
    till.printing.watch();
    await settle();
    expect(sent.map((c) => c.cmd)).toEqual(['printers']);
    expect(till.printing.status?.printers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * POLL_MS);
    expect(sent.filter((c) => c.cmd === 'printers')).toHaveLength(3);

    await till.session.lock();
    expect(till.printing.status).toBeNull();
    sent.length = 0;
    await vi.advanceTimersByTimeAsync(3 * POLL_MS);
    expect(sent).toEqual([]);
  });

  it('keeps the last status when a poll fails', async () => {
    vi.useFakeTimers();
    answer = () => printers();
    const stop = till.printing.watch();
    await settle();
    answer = () => {
      throw { code: 'storage', message: 'disk busy' };
    };
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(till.printing.status?.printers[0]?.config.id).toBe('front');
    expect(till.queue.error).toBeNull();
    stop();
  });
});

describe('printer set-up', () => {
  it('asks a cashier for a manager’s PIN and sends it again with it', async () => {
    answer = (c) => {
      if (c.cmd === 'add_printer' && !c.approval)
        throw { code: 'approval_required', message: 'needs a manager' };
      return printers();
    };
    const saving = till.printing.savePrinter(front, true);
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('add the printer Front counter'));
    till.approval.submit('2468');
    expect(await saving).toBe(true);
    expect(sent).toEqual([
      { cmd: 'add_printer', printer: front },
      { cmd: 'add_printer', printer: front, approval: { pin: '2468' } },
    ]);
    expect(till.printing.status?.printers).toHaveLength(1);
  });

  it('changes nothing when the PIN overlay is cancelled', async () => {
    answer = () => {
      throw { code: 'approval_required', message: 'needs a manager' };
    };
    const removing = till.printing.removePrinter(front);
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    till.approval.cancel();
    expect(await removing).toBe(false);
    expect(till.queue.error).toBeNull();
  });
});

describe('receipts', () => {
  it('says a reprint went to the printer as a duplicate', async () => {
    answer = (c) =>
      c.cmd === 'print_receipt'
        ? {
            type: 'jobs',
            jobs: [
              {
                id: 7,
                printer: 'front',
                what: 'receipt',
                duplicate: true,
                state: 'pending',
                attempts: 0,
                reprint: false,
                created_at: 0,
              },
            ],
          }
        : printers();
    expect(await till.printing.printReceipt({ order: 'o1' })).toBe(true);
    expect(sent[0]).toEqual({ cmd: 'print_receipt', order: 'o1' });
    expect(till.printing.notice?.text).toBe('Duplicate receipt sent to Front counter');
  });

  it('says plainly when no printer prints receipts', async () => {
    answer = () => {
      throw { code: 'not_found', message: 'no printer prints receipts: add one first' };
    };
    expect(await till.printing.printReceipt({ order: 'o1' })).toBe(false);
    expect(till.queue.error?.text).toMatch(/No printer prints receipts/);
    expect(till.printing.notice).toBeNull();
  });
});
