// The sync's components and the open orders list, rendered to HTML (svelte/server: the tests run in
// Node, with no DOM), from the state the stores hold: the badge's test ids, mode and waiting count; the
// sync screen in a browser, unpaired, revoked and paired; the cloud's notes; and other tills' orders
// marked and read only. Effects do not run in a server render, so nothing here polls or asks the core.

import { render } from 'svelte/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { order, syncNote, syncStatus } from '../testing/fixtures';

let tauri = true;

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => tauri,
  invoke: () => Promise.reject(new Error('nothing is asked in a render')),
}));

const { till } = await import('../till.svelte');
const { default: SyncBadge } = await import('./SyncBadge.svelte');
const { default: SyncScreen } = await import('./SyncScreen.svelte');
const { default: OpenOrdersScreen } = await import('../orders/OpenOrdersScreen.svelte');

/** The element with this test id, as HTML from its opening tag. */
function byTestId(body: string, id: string): string | null {
  const at = body.indexOf(`data-testid="${id}"`);
  if (at < 0) return null;
  return body.slice(body.lastIndexOf('<', at));
}

beforeEach(() => {
  tauri = true;
  till.sync.unavailable = null;
  till.sync.status = null;
  till.sync.leave();
  till.sync.now = new Date(2026, 2, 3, 14, 30).getTime();
  till.orders.openOrders = [];
  till.orders.order = null;
});

describe('the sync badge', () => {
  it('carries its mode and the ops waiting, and opens the sync screen', () => {
    till.sync.status = syncStatus({
      mode: 'offline',
      waiting: 12,
      last_sync_at: new Date(2026, 2, 3, 14, 28).getTime(),
    });
    const { body } = render(SyncBadge, { props: { onopen: () => {} } });
    const badge = byTestId(body, 'sync-badge') ?? '';
    expect(badge).toMatch(/^<button/);
    expect(badge).toContain('data-mode="offline"');
    expect(body).toMatch(/data-testid="sync-waiting">12</);
    expect(body).toContain('Offline');
    expect(body).toContain('Synced 2 min ago');
  });

  it('keeps the waiting count for tools but hides it when nothing is waiting', () => {
    till.sync.status = syncStatus({ waiting: 0 });
    const { body } = render(SyncBadge, { props: { onopen: () => {} } });
    expect(body).toMatch(/data-testid="sync-waiting">0</);
    expect(body).toMatch(/class="waiting[^"]*visually-hidden/);
  });

  it('is "Sync off" and unpaired in a browser', () => {
    till.sync.unavailable = { code: 'unavailable', text: 'no sync', detail: '' };
    const { body } = render(SyncBadge, { props: { onopen: () => {} } });
    expect(byTestId(body, 'sync-badge')).toContain('data-mode="unpaired"');
    expect(body).toContain('Sync off');
  });

  it('is not a control on the login screen', () => {
    till.sync.status = syncStatus({ mode: 'revoked' });
    const { body } = render(SyncBadge, { props: { surface: 'light' } });
    expect(byTestId(body, 'sync-badge')).toMatch(/^<div/);
    expect(body).toContain('Pair again');
  });
});

describe('the sync screen', () => {
  it('says sync needs the app in a browser, with no form and no notes', () => {
    tauri = false;
    till.sync.watch();
    const { body } = render(SyncScreen);
    expect(byTestId(body, 'sync-unavailable')).toContain('needs the Fynlo app');
    expect(byTestId(body, 'sync-pair-form')).toBeNull();
    expect(byTestId(body, 'sync-notes')).toBeNull();
  });

  it('offers the pairing form to an unpaired till, and no Sync now', () => {
    till.sync.status = syncStatus({
      mode: 'unpaired',
      cloud_url: null,
      restaurant_id: null,
      device_name: null,
    });
    const { body } = render(SyncScreen);
    expect(byTestId(body, 'sync-pair-form')).toContain('Pair this till');
    expect(byTestId(body, 'sync-now')).toBeNull();
    expect(byTestId(body, 'sync-device-id')).toContain('0190a000-0000-7000-8000-00000000c0de');
  });

  it('asks a revoked till to pair again, saying it keeps selling, from the address and name it had', () => {
    till.sync.status = syncStatus({ mode: 'revoked', waiting: 3 });
    const { body } = render(SyncScreen);
    expect(byTestId(body, 'sync-pair-again')).toContain('keeps selling meanwhile');
    expect(byTestId(body, 'sync-pair-url')).toContain('value="https://cloud.example"');
    expect(byTestId(body, 'sync-pair-name')).toContain('value="Bar till"');
    expect(byTestId(body, 'sync-unpair')).not.toBeNull();
  });

  it('shows a paired till’s cloud, Sync now with its error, and the cloud’s notes', () => {
    till.sync.status = syncStatus({ last_error: 'cloud unreachable' });
    till.sync.failure = {
      action: 'sync_now',
      error: { code: 'offline', text: 'The till can’t reach the cloud right now.', detail: 'timed out' },
    };
    till.sync.notes = [syncNote(7, { outcome: 'partial', code: 'payment_rule', message: 'refund refused' })];
    const { body } = render(SyncScreen);
    expect(byTestId(body, 'sync-cloud-url')).toContain('https://cloud.example');
    expect(byTestId(body, 'sync-restaurant')).toContain('r1');
    expect(byTestId(body, 'sync-till-name')).toContain('Bar till');
    expect(byTestId(body, 'sync-now')).toContain('Sync now');
    expect(byTestId(body, 'sync-now-error')).toContain('data-code="offline"');
    expect(byTestId(body, 'sync-pair-form')).toBeNull();
    const note = byTestId(body, 'sync-note-7') ?? '';
    expect(note).toContain('Applied in part');
    expect(note).toContain('payment_rule');
    expect(note).toContain('refund refused');
  });
});

describe('open orders', () => {
  it('lists other tills’ orders apart, marked with their till, with no Resume', () => {
    till.orders.openOrders = [
      order({ id: 'mine', number: 1 }),
      order({ id: 'theirs', number: 4, remote: true, till: '0190b111-0000-7000-8000-0000000beef1' }),
    ];
    const { body } = render(OpenOrdersScreen);
    expect(byTestId(body, 'open-order-1')).not.toBeNull();
    expect(byTestId(body, 'resume-1')).not.toBeNull();
    const remote = byTestId(body, 'remote-order-4') ?? '';
    expect(remote).toContain('On another till · till 000beef1');
    expect(byTestId(body, 'open-order-4')).toBeNull();
    expect(byTestId(body, 'resume-4')).toBeNull();
    expect(byTestId(body, 'view-remote-4')).not.toBeNull();
  });

  it('says this till has none when only other tills have open orders', () => {
    till.orders.openOrders = [order({ id: 'theirs', number: 4, remote: true, till: 'other' })];
    const { body } = render(OpenOrdersScreen);
    expect(body).toContain('No open orders on this till.');
  });
});
