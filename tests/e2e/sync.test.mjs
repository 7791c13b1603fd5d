// The till's sync on the real window, against a real cloud server (`fynlo-cloud` on a SQLite file,
// started here). The till pairs at start with a manager's one-time code (FYNLO_CLOUD_URL and
// FYNLO_PAIRING_CODE, as `./dev tills` does); the badge says it is online. The cloud stops: the next
// sale still goes through, the badge turns offline and counts the ops waiting. The cloud comes back:
// the till drains by itself, the badge is online with nothing waiting, and the cloud has the sales.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedTill, startCloud, waitForBadge, byTestId, tap, screenshot, screenshottingTest, typePin } from './harness.mjs';

let cloud;
let till;
let browser;
let owner;

before(async () => {
  cloud = await startCloud();
  ({ till, owner } = await startPairedTill(cloud, 'E2E Sync Café'));
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
});

after(async () => {
  await till?.stop();
  await cloud?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

/** Waits until the badge shows `mode` (and, when given, `waiting` ops). */
const badge = (mode, waiting = null, timeout = 60_000) => waitForBadge(browser, mode, waiting, timeout);

async function sale() {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'pay');
  await tap(browser, 'quick-cash-5000');
  await tap(browser, 'tender');
  await byTestId(browser, 'change-due').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'new-order');
}

/** The cloud's completed orders. */
async function cloudOrders() {
  const response = await fetch(`${cloud.url}/api/v1/orders?limit=100`, {
    headers: { authorization: `Bearer ${owner.access_token}` },
  });
  const body = await response.json();
  const orders = Array.isArray(body) ? body : (body.orders ?? []);
  return orders.filter((order) => order.state === 'completed');
}

test('the till pairs at start and the badge says online', async () => {
  await badge('online', (n) => n === 0);
  await typePin(browser, '1357');
  await byTestId(browser, 'start-order').waitForDisplayed({ timeout: 10_000 });
  await sale();
  await badge('online', (n) => n === 0);
  await browser.waitUntil(async () => (await cloudOrders()).length === 1, {
    timeout: 20_000,
    timeoutMsg: 'the cloud has the sale',
  });
  await screenshot(browser, 'sync-online');
});

test('with the cloud down the till keeps selling, shows offline, and drains when it returns', async () => {
  await cloud.stop();
  await sale();
  await badge('offline', (n) => n > 0);
  await sale();
  await badge('offline', (n) => n > 0);
  await screenshot(browser, 'sync-offline');
  await cloud.start();
  // The engine retries with backoff (at most 30 s ±20 %).
  await badge('online', (n) => n === 0, 90_000);
  await browser.waitUntil(async () => (await cloudOrders()).length === 3, {
    timeout: 20_000,
    timeoutMsg: 'the cloud has all three sales',
  });
  assert.equal((await cloudOrders()).length, 3);
  await screenshot(browser, 'sync-drained');
});
