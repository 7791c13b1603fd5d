// The sync's door and its pure helpers: what a failed request becomes, what the badge says for each
// status, how long ago "last sync" reads, and the pairing form's checks.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncRequest, SyncStatus } from './sync-bindings';
import { syncStatus as status } from './testing/fixtures';

let tauri = true;
let answer: (request: SyncRequest) => unknown = () => {
  throw new Error('no answer scripted');
};
const calls: { name: string; request: SyncRequest }[] = [];

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => tauri,
  invoke: async (name: string, args: { request: SyncRequest }) => {
    calls.push({ name, request: args.request });
    await Promise.resolve();
    return answer(args.request);
  },
}));

const {
  badgeOf,
  checkPairForm,
  cloudUrl,
  lastSyncDetail,
  lastSyncText,
  noteOutcome,
  pairingCode,
  runSync,
  runSyncExpecting,
  shortDeviceId,
  shownSyncError,
  SyncError,
  toSyncError,
} = await import('./sync');

beforeEach(() => {
  tauri = true;
  calls.length = 0;
});

describe('runSync', () => {
  it('sends the request to the `sync` command and answers with its reply', async () => {
    answer = () => ({ type: 'status', ...status() });
    const reply = await runSyncExpecting({ op: 'status' }, 'status');
    expect(calls).toEqual([{ name: 'sync', request: { op: 'status' } }]);
    expect(reply.mode).toBe('online');
  });

  it('rejects with the sync’s own code and message', async () => {
    answer = () => {
      throw { code: 'offline', message: 'cloud unreachable: connection refused' };
    };
    const error = await runSync({ op: 'sync_now' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'offline', message: 'cloud unreachable: connection refused' });
  });

  it('says the sync is unavailable in a browser, without asking anything', async () => {
    tauri = false;
    await expect(runSync({ op: 'status' })).rejects.toMatchObject({ code: 'unavailable' });
    expect(calls).toEqual([]);
  });

  it('refuses a reply of the wrong type', async () => {
    answer = () => ({ type: 'notes', notes: [] });
    await expect(runSyncExpecting({ op: 'status' }, 'status')).rejects.toMatchObject({ code: 'unexpected' });
  });
});

describe('sync errors', () => {
  it('keeps known codes and turns anything else into `unreachable`', () => {
    expect(toSyncError({ code: 'revoked', message: 'token revoked' })).toMatchObject({
      code: 'revoked',
      message: 'token revoked',
    });
    expect(toSyncError('command sync not found')).toMatchObject({
      code: 'unreachable',
      message: 'command sync not found',
    });
    expect(toSyncError({ code: 'wrong_pin', message: 'x' }).code).toBe('unreachable');
  });

  it('has a sentence for every code, with the sync’s words as detail', () => {
    const codes = [
      'offline',
      'not_paired',
      'revoked',
      'invalid_input',
      'refused',
      'protocol',
      'not_permitted',
      'keychain',
      'storage',
      'unavailable',
      'unreachable',
      'unexpected',
    ] as const;
    for (const code of codes) {
      const shown = shownSyncError(new SyncError(code, 'the detail'));
      expect(shown.text, code).not.toBe('the detail');
      expect(shown.text.length, code).toBeGreaterThan(10);
      expect(shown.detail).toBe('the detail');
    }
    expect(shownSyncError(new SyncError('offline', 'd'), { offline: 'Mine.' }).text).toBe('Mine.');
  });
});

describe('the badge', () => {
  const cases: [string, SyncStatus | null, boolean, string, string | null, number][] = [
    ['online', status(), true, 'Online', 'online', 0],
    ['online, waiting', status({ waiting: 3 }), true, 'Online · 3 waiting', 'online', 3],
    [
      'offline, waiting',
      status({ mode: 'offline', waiting: 12 }),
      true,
      'Offline · 12 waiting',
      'offline',
      12,
    ],
    ['unpaired', status({ mode: 'unpaired', waiting: 40 }), true, 'Not paired', 'unpaired', 40],
    ['revoked', status({ mode: 'revoked' }), true, 'Pair again', 'revoked', 0],
    [
      'revoked, waiting',
      status({ mode: 'revoked', waiting: 2 }),
      true,
      'Pair again · 2 waiting',
      'revoked',
      2,
    ],
    ['before the first status', null, true, 'Sync', null, 0],
    ['in a browser', null, false, 'Sync off', 'unpaired', 0],
  ];

  it.each(cases)('%s', (_, given, available, label, mode, waiting) => {
    const badge = badgeOf(given, available);
    expect(badge.label).toBe(label);
    expect(badge.mode).toBe(mode);
    expect(badge.waiting).toBe(waiting);
    expect(badge.showWaiting).toBe(label.includes('waiting'));
  });

  it('is green online, amber offline, red when revoked and grey otherwise', () => {
    expect(badgeOf(status(), true).tone).toBe('ok');
    expect(badgeOf(status({ mode: 'offline' }), true).tone).toBe('warning');
    expect(badgeOf(status({ mode: 'revoked' }), true).tone).toBe('problem');
    expect(badgeOf(status({ mode: 'unpaired' }), true).tone).toBe('none');
    expect(badgeOf(null, false).tone).toBe('none');
  });
});

describe('last sync', () => {
  // Local times, so the test reads the same in any time zone.
  const now = new Date(2026, 2, 3, 14, 30, 0).getTime();
  const at = (h: number, m: number, s = 0, day = 3) => new Date(2026, 2, day, h, m, s).getTime();

  it.each([
    ['never', null, 'never'],
    ['a few seconds ago', at(14, 29, 45), 'just now'],
    ['a little ahead of this clock', at(14, 30, 5), 'just now'],
    ['two minutes ago', at(14, 28, 0), '2 min ago'],
    ['59 minutes ago', at(13, 31, 0), '59 min ago'],
    ['earlier today', at(14, 5, 0) - 3_600_000, 'at 13:05'],
    ['yesterday', at(23, 50, 0, 2), 'on 2 Mar at 23:50'],
  ])('%s', (_, when, text) => {
    expect(lastSyncText(when, now)).toBe(text);
  });

  it.each([
    [null, 'Never'],
    [at(14, 29, 45), 'Just now (14:29)'],
    [at(14, 28, 0), '2 min ago (14:28)'],
    [at(13, 5, 0), 'Today at 13:05'],
    [at(23, 50, 0, 2), '2 Mar at 23:50'],
  ])('reads %s on the sync screen as %s', (when, text) => {
    expect(lastSyncDetail(when, now)).toBe(text);
  });
});

describe('the pairing form', () => {
  const good = { cloud_url: ' https://cloud.fynlo.example/ ', code: ' abcd efgh ', name: ' Bar till ' };

  it('tidies a good form into the request', () => {
    expect(checkPairForm(good)).toEqual({
      ok: true,
      request: { op: 'pair', cloud_url: 'https://cloud.fynlo.example', code: 'ABCDEFGH', name: 'Bar till' },
    });
  });

  it.each([
    ['no scheme', 'cloud.fynlo.example'],
    ['another scheme', 'ftp://cloud.fynlo.example'],
    ['no host', 'https://'],
    ['a space in it', 'https://cloud fynlo.example'],
    ['empty', '   '],
  ])('refuses an address with %s', (_, url) => {
    expect(cloudUrl(url)).toBeNull();
    const checked = checkPairForm({ ...good, cloud_url: url });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(Object.keys(checked.problems)).toEqual(['cloud_url']);
  });

  it('accepts http for a cloud on the restaurant’s own network, with a port and a path', () => {
    expect(cloudUrl('http://192.168.1.20:8080/fynlo')).toBe('http://192.168.1.20:8080/fynlo');
  });

  it.each([
    ['too short', 'ABCDEFG'],
    ['too long', 'ABCDEFGHJ'],
    ['a 0 or a 1', 'ABCDEF01'],
    ['a symbol', 'ABCD_EFG'],
  ])('refuses a code %s', (_, code) => {
    const checked = checkPairForm({ ...good, code });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(Object.keys(checked.problems)).toEqual(['code']);
  });

  it('reads a code typed in lower case or in groups', () => {
    expect(pairingCode(' abcd-2345 ')).toBe('ABCD2345');
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(101)],
    ['on two lines', 'Bar\ntill'],
  ])('refuses a name %s', (_, name) => {
    const checked = checkPairForm({ ...good, name });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(Object.keys(checked.problems)).toEqual(['name']);
  });

  it('counts a name’s characters, not its bytes', () => {
    expect(checkPairForm({ ...good, name: 'é'.repeat(100) }).ok).toBe(true);
  });

  it('says what is wrong with every field at once', () => {
    const checked = checkPairForm({ cloud_url: '', code: '', name: '' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(Object.keys(checked.problems).sort()).toEqual(['cloud_url', 'code', 'name']);
  });
});

describe('devices and notes', () => {
  it('shortens a device id to its last 8 hex digits', () => {
    expect(shortDeviceId('0190a000-0000-7000-8000-00000000c0de')).toBe('0000c0de');
    expect(shortDeviceId('abc')).toBe('abc');
  });

  it('names the cloud’s outcomes', () => {
    expect(noteOutcome('rejected')).toEqual({ text: 'Rejected', tone: 'danger' });
    expect(noteOutcome('partial')).toEqual({ text: 'Applied in part', tone: 'warning' });
  });
});
