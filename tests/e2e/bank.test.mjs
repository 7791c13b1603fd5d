// Pay by bank on the real window, end to end, against a real cloud (`fynlo-cloud` on a SQLite file, its
// own sandbox bank, started here). The till is paired at start. For each sale the till shows the QR
// code; the test reads the code the way a phone does — a screenshot of the till's screen, decoded
// (jsQR) — and Debian's Chromium, driven over WebDriver as the customer's phone, opens the address it
// holds and taps Approve or Decline on the sandbox bank's page:
// - approved: the till records the payment by itself (the cloud's live event) and the order is paid;
// - declined: the till says so, and the card pays the same balance;
// - never scanned: the cloud's clock is moved 15 minutes on (`FYNLO_CLOUD_SANDBOX_CLOCK`), the session
//   expires, the till says so by itself, and cash pays.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { assertAccessible } from './a11y.mjs';
import {
  byTestId,
  screenshot,
  screenshotDir,
  screenshottingTest,
  startCloud,
  startPairedTill,
  startPhone,
  tap,
  typePin,
  waitForBadge,
  waitForText,
} from './harness.mjs';

let cloud;
let till;
let browser;
let phone;

before(async () => {
  cloud = await startCloud({ FYNLO_CLOUD_SANDBOX_CLOCK: 'true', FYNLO_CLOUD_PAYMENTS_POLL_SECONDS: '1' });
  ({ till } = await startPairedTill(cloud, 'E2E Bank Café'));
  browser = till.browser;
  phone = await startPhone();
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await waitForBadge(browser, 'online');
  await typePin(browser, '1357');
  await byTestId(browser, 'start-order').waitForDisplayed({ timeout: 10_000 });
});

after(async () => {
  await phone?.stop();
  await till?.stop();
  await cloud?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

/** A takeaway of chips (£4.00) on the payment screen, paid by bank with no tip: the QR code shows. */
async function payChipsByBank() {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'pay');
  await tap(browser, 'tender-pay_by_bank');
  await tap(browser, 'tender');
  await tap(browser, 'tip-none');
  await attemptStatus('pending');
  await byTestId(browser, 'bank-qr').waitForDisplayed({ timeout: 20_000 });
}

/** Waits until the attempt shown is `status`. */
async function attemptStatus(status, timeout = 10_000) {
  const element = byTestId(browser, 'attempt-status');
  let last;
  await browser.waitUntil(
    async () => (last = await element.getAttribute('data-status').catch(() => null)) === status,
    { timeout, interval: 50, timeoutMsg: `the attempt is ${status} (it was ${last})` },
  );
}

/**
 * Reads the QR code on the till's screen as a phone's camera would: a picture of the whole window
 * (with `testId` on it), decoded.
 */
async function scan(testId, name) {
  await byTestId(browser, testId).waitForDisplayed({ timeout: 10_000 });
  const picture = Buffer.from(await browser.takeScreenshot(), 'base64');
  writeFileSync(join(screenshotDir, `${name}.png`), picture);
  const png = PNG.sync.read(picture);
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const code = jsQR(pixels, png.width, png.height);
  assert.ok(code, `a QR code on the till's screen (${png.width}×${png.height} px) decodes`);
  assert.match(code.data, new RegExp(`^${cloud.url}/sandbox/pay/sbx_`), 'the sandbox bank’s page on this cloud');
  return code.data;
}

/** The customer opens the page on their phone and taps `button` (`approve` or `decline`). */
async function customerTaps(url, button) {
  const { browser: p } = phone;
  await p.url(url);
  await p.$('.amount').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await p.$('.amount').getText(), '£4.00', 'the page asks for what the till charges');
  await p.$(`#${button}`).click();
  await p.$('#outcome').waitForDisplayed({ timeout: 10_000 });
  return p.$('#outcome').getAttribute('data-status');
}

test('the customer scans the QR code and approves: the till records the payment by itself', async () => {
  await payChipsByBank();
  assert.match(await byTestId(browser, 'bank-page').getText(), /Scan to pay £4\.00 by bank/);
  assert.match(await byTestId(browser, 'bank-countdown').getText(), /^Code works for 1[45]:\d\d$/);
  await assertAccessible(browser, 'the pay-by-bank QR code');
  await screenshot(browser, 'bank-qr');

  // Turned to the customer: the code large, the amount and the time left, black on white.
  await tap(browser, 'bank-show-customer');
  await byTestId(browser, 'bank-customer').waitForDisplayed({ timeout: 10_000 });
  assert.match(await byTestId(browser, 'bank-customer').getText(), /Pay £4\.00 by bank/);
  await assertAccessible(browser, 'the customer’s QR code');
  await screenshot(browser, 'bank-qr-customer');
  const url = await scan('bank-qr-customer', 'bank-qr-customer-scanned');

  assert.equal(await customerTaps(url, 'approve'), 'executed');
  const approved = Date.now();
  await byTestId(browser, 'paid-by-provider').waitForDisplayed({ timeout: 10_000 });
  // Reported, not asserted on: the figure goes into docs/payments.md.
  console.log(`pay by bank: the till showed the order paid ${Date.now() - approved} ms after the customer approved`);
  await waitForText(browser, 'paid-by-provider', '£4.00');
  assert.equal(await byTestId(browser, 'bank-customer').isExisting(), false, 'the customer view closes once paid');
  await screenshot(browser, 'bank-paid');
  await tap(browser, 'new-order');
});

test('the customer declines on their phone: the till says so and the card pays instead', async () => {
  await payChipsByBank();
  const url = await scan('bank-qr', 'bank-qr-scanned');
  assert.equal(await customerTaps(url, 'decline'), 'failed');
  await attemptStatus('failed');
  assert.match(await byTestId(browser, 'attempt-status').getText(), /^Pay by bank £4\.00: Declined: refused in the customer's banking app$/);
  assert.equal(await byTestId(browser, 'bank-qr').isExisting(), false, 'no code to scan once declined');
  await screenshot(browser, 'bank-declined');
  await tap(browser, 'attempt-other');
  await tap(browser, 'tender-card');
  await tap(browser, 'tender');
  await tap(browser, 'tip-none');
  await waitForText(browser, 'paid-by-provider', '£4.00');
  await tap(browser, 'new-order');
});

test('a code never scanned expires after 15 minutes (the cloud’s clock moved on) and cash pays', async () => {
  await payChipsByBank();
  const url = await scan('bank-qr', 'bank-qr-expiring');
  await cloud.post('/sandbox/clock', { advance_ms: 15 * 60 * 1000 + 1000 });
  // The cloud's reconciliation ends the session; its live event makes the till record it.
  await attemptStatus('cancelled', 20_000);
  assert.match(
    await byTestId(browser, 'attempt-status').getText(),
    /^Pay by bank £4\.00: Cancelled at the provider: expired$/,
  );
  assert.equal(await byTestId(browser, 'bank-qr').isExisting(), false);
  await screenshot(browser, 'bank-expired');
  // The page no longer takes the payment.
  await phone.browser.url(url);
  await phone.browser.$('#outcome').waitForDisplayed({ timeout: 10_000 });
  assert.match(await phone.browser.$('#outcome').getText(), /expired/);
  await tap(browser, 'attempt-other');
  await tap(browser, 'quick-cash-500');
  await tap(browser, 'tender');
  await byTestId(browser, 'change-due').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'new-order');
});

test('a payment the bank returns after the sale is listed for the manager on the shifts screen', async () => {
  await payChipsByBank();
  const url = await scan('bank-qr', 'bank-qr-bounce');
  // The sandbox's "Approve, then fail at settlement": paid now (executed), returned at settlement.
  const { browser: p } = phone;
  await p.url(url);
  await p.$('#bounce').click();
  await p.$('#outcome').waitForDisplayed({ timeout: 10_000 });
  await waitForText(browser, 'paid-by-provider', '£4.00');
  await tap(browser, 'new-order');
  // Settlement comes (the sandbox settles 60 s after the payment; the cloud's clock moves on), and the
  // bank returns the money; the cloud's reconciliation flags it.
  await cloud.post('/sandbox/clock', { advance_ms: 61_000 });
  // Sam is a cashier: the shifts screen does not show him the list. Priya, a manager, sees it.
  await tap(browser, 'lock');
  await typePin(browser, '2468');
  await waitForText(browser, 'staff-name', 'Priya Shah');
  let listed = '';
  await browser.waitUntil(
    async () => {
      // The list is read when the screen opens: open it again until the cloud has flagged it.
      await tap(browser, 'nav-order');
      await tap(browser, 'nav-shifts');
      await browser.$('#drawer-title').waitForExist({ timeout: 10_000 });
      await new Promise((done) => setTimeout(done, 500));
      const panel = byTestId(browser, 'flagged-total');
      if (!(await panel.isExisting())) return false;
      listed = await panel.getText();
      return true;
    },
    { timeout: 20_000, interval: 1_000, timeoutMsg: 'the shifts screen lists the returned payment' },
  );
  assert.match(listed, /Paid by bank, then returned: £4\.00 in 1 payment/);
  await assertAccessible(browser, 'the payments the bank returned');
  await screenshot(browser, 'bank-returned');
});
