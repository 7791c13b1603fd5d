// The sync store against a scripted app: the status poll (and that it stops without a sync), Sync now's
// progress and error, pairing, unpairing through the manager PIN overlay, the cloud's notes, and other
// tills' orders in the open orders list.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from './bindings';
import type { SyncRequest } from './sync-bindings';
import { order, syncNote, syncStatus } from './testing/fixtures';

let tauri = true;
const requests: SyncRequest[] = [];
const commands: Command[] = [];
let answer: (request: SyncRequest) => unknown = () => {
  throw new Error('no answer scripted');
};
let execute: (command: Command) => unknown = () => {
  throw new Error('no answer scripted');
};

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => tauri,
  invoke: async (name: string, args: { request?: SyncRequest; command?: Command }) => {
    await Promise.resolve();
    if (name === 'sync' && args.request) {
      requests.push(args.request);
      return answer(args.request);
    }
    if (name === 'execute' && args.command) {
      commands.push(args.command);
      return execute(args.command);
    }
    throw new Error(`unexpected ${name}`);
  },
}));

/** The app's `sync-status` listener, while one is registered. */
let heard: ((event: { payload: unknown }) => void) | null = null;

vi.mock('@tauri-apps/api/event', () => ({
  listen: async (name: string, handler: (event: { payload: unknown }) => void) => {
    await Promise.resolve();
    if (name !== 'sync-status') throw new Error(`unexpected event ${name}`);
    heard = handler;
    return () => {
      if (heard === handler) heard = null;
    };
  },
}));

const { till } = await import('./till.svelte');
const { SYNC_POLL_MS } = await import('./sync.svelte');

/** Lets the queued promises run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

const status = (overrides: Parameters<typeof syncStatus>[0] = {}) => ({
  type: 'status' as const,
  ...syncStatus(overrides),
});

let stop: () => void = () => {};

beforeEach(() => {
  tauri = true;
  requests.length = 0;
  commands.length = 0;
  till.approval.cancel();
  till.sync.leave();
  till.sync.status = null;
  till.queue.error = null;
  till.nav.screen = 'order';
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe('the status poll', () => {
  it('asks every 2 s while watched, and stops when told', async () => {
    vi.useFakeTimers();
    answer = () => status({ waiting: 4 });
    stop = till.sync.watch();
    await settle();
    expect(requests).toEqual([{ op: 'status' }]);
    expect(till.sync.available).toBe(true);
    expect(till.sync.status?.waiting).toBe(4);
    await vi.advanceTimersByTimeAsync(2 * SYNC_POLL_MS);
    expect(requests).toHaveLength(3);

    stop();
    await vi.advanceTimersByTimeAsync(3 * SYNC_POLL_MS);
    expect(requests).toHaveLength(3);
  });

  it('takes the status the app sends the moment it changes, between polls', async () => {
    vi.useFakeTimers();
    answer = () => status();
    stop = till.sync.watch();
    await settle();
    expect(heard).not.toBeNull();
    const asked = requests.length;
    heard?.({ payload: syncStatus({ changes_applied: 7, waiting: 2 }) });
    expect(till.sync.status?.changes_applied).toBe(7);
    expect(till.sync.changesApplied).toBe(7);
    expect(requests.length).toBe(asked);
    stop();
    expect(heard).toBeNull();
  });

  it('in a browser asks nothing and says the sync is unavailable, without an error on screen', async () => {
    vi.useFakeTimers();
    tauri = false;
    stop = till.sync.watch();
    await vi.advanceTimersByTimeAsync(3 * SYNC_POLL_MS);
    expect(requests).toEqual([]);
    expect(till.sync.available).toBe(false);
    expect(till.sync.unavailable?.code).toBe('unavailable');
    expect(till.queue.error).toBeNull();
  });

  it('stops when the app has no sync command', async () => {
    vi.useFakeTimers();
    answer = () => {
      throw 'command sync not found';
    };
    stop = till.sync.watch();
    await vi.advanceTimersByTimeAsync(3 * SYNC_POLL_MS);
    expect(requests).toHaveLength(1);
    expect(till.sync.available).toBe(false);
    expect(till.sync.unavailable?.code).toBe('unreachable');
  });

  it('keeps the last status when a poll fails for another reason', async () => {
    vi.useFakeTimers();
    answer = () => status({ mode: 'offline', waiting: 2 });
    stop = till.sync.watch();
    await settle();
    answer = () => {
      throw { code: 'storage', message: 'database is locked' };
    };
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS);
    expect(requests).toHaveLength(2);
    expect(till.sync.status?.mode).toBe('offline');
    expect(till.sync.available).toBe(true);
  });

  it('signals the cloud’s changes through `changesApplied`', async () => {
    vi.useFakeTimers();
    let applied = 0;
    answer = () => status({ changes_applied: applied });
    stop = till.sync.watch();
    await settle();
    expect(till.sync.changesApplied).toBe(0);
    applied = 3;
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS);
    expect(till.sync.changesApplied).toBe(3);
  });
});

describe('sync now', () => {
  it('shows progress, then the status it answered with', async () => {
    let release: () => void = () => {};
    answer = (r) =>
      r.op === 'sync_now'
        ? new Promise((resolve) => (release = () => resolve(status({ last_sync_at: 5 }))))
        : status();
    const syncing = till.sync.syncNow();
    await settle();
    expect(till.sync.isBusy('sync_now')).toBe(true);
    release();
    expect(await syncing).toBe(true);
    expect(till.sync.isBusy('sync_now')).toBe(false);
    expect(till.sync.status?.last_sync_at).toBe(5);
    expect(till.sync.failure).toBeNull();
  });

  it('keeps its error beside it, by code, and reads the status again', async () => {
    answer = (r) => {
      if (r.op === 'sync_now') throw { code: 'offline', message: 'connection refused' };
      return status({ mode: 'offline' });
    };
    expect(await till.sync.syncNow()).toBe(false);
    expect(till.sync.errorOf('sync_now')).toMatchObject({ code: 'offline', detail: 'connection refused' });
    expect(till.sync.errorOf('pair')).toBeNull();
    await settle();
    expect(requests.map((r) => r.op)).toEqual(['sync_now', 'status']);
    expect(till.sync.status?.mode).toBe('offline');
    expect(till.queue.error).toBeNull();
  });
});

describe('pairing', () => {
  it('sends nothing for a form that is wrong', async () => {
    expect(await till.sync.pair({ cloud_url: 'cloud.example', code: 'ABCDEFGH', name: 'Bar' })).toBe(false);
    expect(requests).toEqual([]);
  });

  it('sends the tidied form', async () => {
    answer = () => status();
    expect(
      await till.sync.pair({ cloud_url: 'https://cloud.example/', code: 'abcd efgh', name: ' Bar ' }),
    ).toBe(true);
    expect(requests).toEqual([
      { op: 'pair', cloud_url: 'https://cloud.example', code: 'ABCDEFGH', name: 'Bar' },
    ]);
    expect(till.sync.status?.mode).toBe('online');
  });

  it('says a refused code is the code, in its own words', async () => {
    answer = (r) => {
      if (r.op === 'pair') throw { code: 'invalid_input', message: 'the pairing code was refused: expired' };
      return status({ mode: 'unpaired' });
    };
    expect(await till.sync.pair({ cloud_url: 'https://c.example', code: 'ABCDEFGH', name: 'Bar' })).toBe(
      false,
    );
    expect(till.sync.errorOf('pair')?.text).toMatch(/refused that code/);
  });
});

describe('unpairing', () => {
  const cashierRefused = { code: 'not_permitted', message: 'settings needs someone whose role allows it' };

  it('asks a cashier for a manager’s PIN, asks again after a wrong one, and sends the PIN', async () => {
    answer = (r) => {
      if (r.op !== 'unpair') return status();
      if (!r.approval) throw cashierRefused;
      if (r.approval.pin !== '2468') throw { code: 'not_permitted', message: 'wrong PIN' };
      return status({ mode: 'unpaired', cloud_url: null });
    };
    const unpairing = till.sync.unpair();
    await vi.waitFor(() => expect(till.approval.ask?.checking).toBe(false));
    expect(till.approval.ask?.what).toBe('unpair this till from the cloud');
    expect(till.sync.isBusy('unpair')).toBe(true);

    till.approval.submit('1111');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('wrong_pin'));
    expect(till.approval.ask?.error?.detail).toBe('wrong PIN');

    till.approval.submit('2468');
    expect(await unpairing).toBe(true);
    expect(till.approval.ask).toBeNull();
    expect(requests.filter((r) => r.op === 'unpair')).toEqual([
      { op: 'unpair' },
      { op: 'unpair', approval: { pin: '1111' } },
      { op: 'unpair', approval: { pin: '2468' } },
    ]);
    expect(till.sync.status?.mode).toBe('unpaired');
    expect(till.sync.failure).toBeNull();
  });

  it('unpairs at once when a manager is logged in', async () => {
    answer = () => status({ mode: 'unpaired' });
    expect(await till.sync.unpair()).toBe(true);
    expect(requests).toEqual([{ op: 'unpair' }]);
    expect(till.approval.ask).toBeNull();
  });

  it('changes nothing and says nothing when the overlay is cancelled', async () => {
    answer = (r) => {
      if (r.op === 'unpair') throw cashierRefused;
      return status();
    };
    const unpairing = till.sync.unpair();
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    till.approval.cancel();
    expect(await unpairing).toBe(false);
    expect(till.sync.failure).toBeNull();
    expect(till.sync.isBusy('unpair')).toBe(false);
  });

  it('keeps the sync’s own code when it fails after the PIN', async () => {
    answer = (r) => {
      if (r.op !== 'unpair') return status();
      if (!r.approval) throw cashierRefused;
      throw { code: 'keychain', message: 'no secret service' };
    };
    const unpairing = till.sync.unpair();
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    till.approval.submit('2468');
    expect(await unpairing).toBe(false);
    expect(till.approval.ask).toBeNull();
    expect(till.sync.errorOf('unpair')).toMatchObject({ code: 'keychain', detail: 'no secret service' });
  });
});

describe('the sync screen', () => {
  it('loads the notes when shown, and again when their count moves', async () => {
    vi.useFakeTimers();
    let count = 1;
    answer = (r) =>
      r.op === 'notes'
        ? { type: 'notes', notes: Array.from({ length: count }, (_, i) => syncNote(i + 1)) }
        : status({ notes: count });
    stop = till.sync.watch();
    await settle();
    await till.sync.show();
    expect(till.nav.screen).toBe('sync');
    expect(requests).toContainEqual({ op: 'notes', limit: 100 });
    expect(till.sync.notes).toHaveLength(1);

    count = 2;
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS);
    await settle();
    expect(till.sync.notes).toHaveLength(2);
  });

  it('forgets its messages and notes when the till is locked, and keeps polling', async () => {
    vi.useFakeTimers();
    answer = (r) => (r.op === 'notes' ? { type: 'notes', notes: [syncNote(1)] } : status());
    execute = () => ({ type: 'session', staff: null, current_order: null, pin_locked_for: null });
    stop = till.sync.watch();
    await till.sync.show();
    await till.session.lock();
    expect(till.sync.notes).toBeNull();
    expect(till.nav.screen).toBe('order');
    const before = requests.length;
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS);
    expect(requests.length).toBe(before + 1);
  });
});

describe('payments the bank returned', () => {
  const payment = {
    attempt_id: 'fynlo-pbb-1',
    amount: 1250,
    currency: 'GBP',
    failure: 'returned',
    paid_at: 1_800_000_000_000,
    failed_at: 1_800_000_060_000,
  };
  const refusing = (code: string) => (r: SyncRequest) => {
    if (r.op === 'flagged') throw { code, message: code };
    return status();
  };

  it('are listed for a manager, and forgotten when the till is locked', async () => {
    answer = (r) => (r.op === 'flagged' ? { type: 'flagged', payments: [payment] } : status());
    await till.sync.loadFlagged();
    expect(requests).toContainEqual({ op: 'flagged' });
    expect(till.sync.flagged).toEqual([payment]);
    expect(till.sync.flaggedError).toBeNull();
    till.sync.leave();
    expect(till.sync.flagged).toBeNull();
  });

  it('are refused to a cashier with a plain sentence', async () => {
    answer = refusing('not_permitted');
    await till.sync.loadFlagged();
    expect(till.sync.flagged).toBeNull();
    expect(till.sync.flaggedError?.text).toMatch(/Only a manager/);
  });

  it('are none on a till never paired, and not asked for once the status says so', async () => {
    answer = refusing('not_paired');
    await till.sync.loadFlagged();
    expect(till.sync.flaggedError).toBeNull();
    till.sync.status = syncStatus({ mode: 'unpaired' });
    const before = requests.length;
    await till.sync.loadFlagged();
    expect(requests.length).toBe(before);
  });
});

describe('other tills’ orders', () => {
  const remote = order({ id: 'o9', number: 7, till: 'other-till', remote: true });

  it('are never resumed here', async () => {
    till.orders.openOrders = [order(), remote];
    expect(await till.orders.resume('o9')).toBe(false);
    expect(commands).toEqual([]);
    expect(till.queue.error?.text).toMatch(/on another till/);
  });

  it('reload in the background, keeping the message on screen', async () => {
    till.queue.show({ code: 'x', text: 'Earlier message', detail: '' });
    execute = () => ({ type: 'orders', orders: [order(), remote] });
    await till.orders.reloadOpenOrders();
    expect(commands).toEqual([{ cmd: 'open_orders' }]);
    expect(till.orders.openOrders.map((o) => o.remote)).toEqual([false, true]);
    expect(till.queue.error?.text).toBe('Earlier message');
    expect(till.queue.isBusy('open-orders')).toBe(false);
  });
});
