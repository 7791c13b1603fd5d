// The day's close end to end, on the real window: the till is set up with a loopback receipt printer
// (tests/e2e/printer.mjs). Sam (cashier, 1357) opens the drawer with a £100 float — his role may not, so
// Priya's PIN (2468) approves it on the overlay — sells Chips for cash, pays £12.50 out for milk (Priya's
// PIN again), and closes the session with the drawer counted 50p short: Close stays disabled until a note
// says why. Reports, exports and the audit log ask for Priya's PIN too: Sam's role may not see them. The Z report shows the figures (gross £4.00, expected £91.50, 50p short) and its charts, and
// comes out of the printer as "Z REPORT 1". The audit check finds the chain whole. axe-core's WCAG 2.2 AA
// rules run on each new screen and dialog; screenshots go to /tmp/e2e-shots/.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTill, byTestId, tap, screenshot, screenshottingTest, typePin, text, waitForText, fynlo } from './harness.mjs';
import { assertAccessible, layoutProblems, resizeWindow } from './a11y.mjs';
import { loopbackPrinter } from './printer.mjs';

const SHOTS = '/tmp/e2e-shots';

let till;
let browser;
let printer;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  printer = await loopbackPrinter();
  till = await startTill({
    printers: [
      {
        id: 'counter',
        name: 'Front counter',
        transport: { type: 'tcp', host: '127.0.0.1', port: printer.port },
        width: 42,
        stations: ['kitchen', 'bar'],
        receipts: true,
        auto_print: false,
      },
    ],
  });
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await resizeWindow(browser, 1280, 1024);
});

after(async () => {
  await till?.stop();
  await printer?.close();
});

const test = screenshottingTest(nodeTest, () => browser);

async function shot(name) {
  await screenshot(browser, name);
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

/** Types a manager's PIN on the approval overlay. */
async function approve(pin) {
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  for (const digit of pin) await tap(browser, `approval-key-${digit}`);
  await tap(browser, 'approval-enter');
  await byTestId(browser, 'approval-overlay').waitForExist({ reverse: true, timeout: 10_000 });
}

async function setCount(prefix, pieces) {
  for (const [pence, n] of Object.entries(pieces)) {
    const input = byTestId(browser, `${prefix}-${pence}`);
    await input.waitForDisplayed({ timeout: 10_000 });
    await input.setValue(String(n));
  }
}

test('a cashier opens the drawer with a float, on a manager’s PIN', async () => {
  await typePin(browser, '1357');
  await waitForText(browser, 'staff-name', 'Sam Taylor');
  await tap(browser, 'nav-shifts');
  await byTestId(browser, 'drawer-closed').waitForDisplayed({ timeout: 10_000 });
  await assertAccessible(browser, 'the drawer with no session');
  await tap(browser, 'session-open');
  await byTestId(browser, 'session-open-dialog').waitForDisplayed({ timeout: 10_000 });
  // £20 × 4 and £1 × 20: £100.
  await setCount('float', { 2000: 4, 100: 20 });
  await waitForText(browser, 'float-total', '£100.00');
  await assertAccessible(browser, 'the float dialog');
  await shot('session-open-1280');
  await tap(browser, 'session-open-confirm');
  await approve('2468');
  await byTestId(browser, 'session-open-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await waitForText(browser, 'drawer-expected', '£100.00');
  assert.match(await text(browser, 'drawer-session'), /Session 1/);
});

test('a cash sale and a pay-out move the expected cash', async () => {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'pay');
  await tap(browser, 'exact');
  await tap(browser, 'tender');
  await byTestId(browser, 'new-order').waitForDisplayed({ timeout: 10_000 });

  await tap(browser, 'nav-shifts');
  await waitForText(browser, 'drawer-expected', '£104.00');
  await tap(browser, 'pay-out');
  await byTestId(browser, 'movement-dialog').waitForDisplayed({ timeout: 10_000 });
  await byTestId(browser, 'movement-amount').setValue('12.50');
  await byTestId(browser, 'movement-reason').setValue('milk');
  await assertAccessible(browser, 'the pay-out dialog');
  await tap(browser, 'movement-confirm');
  await approve('2468');
  await byTestId(browser, 'movement-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await waitForText(browser, 'drawer-expected', '£91.50');
  assert.match(await text(browser, 'movements'), /Pay-out.*£12\.50.*milk.*approved by priya/s);
  await assertAccessible(browser, 'the open drawer');
  await shot('drawer-open-1280');
  await resizeWindow(browser, 768, 1024);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(await layoutProblems(browser, { visible: ['session-close'] }), [], 'the drawer at 768 px');
  await shot('drawer-open-768');
  await resizeWindow(browser, 1280, 1024);
});

test('the close asks for a note when the count is short, then shows, stores and prints the Z', async () => {
  const before = printer.jobs.length;
  await tap(browser, 'session-close');
  await byTestId(browser, 'session-close-dialog').waitForDisplayed({ timeout: 10_000 });
  // £91.00 counted: £50, £20 × 2, £1: 50p short.
  await setCount('count', { 5000: 1, 2000: 2, 100: 1 });
  await waitForText(browser, 'close-diff', '£0.50 short');
  assert.equal(await byTestId(browser, 'session-close-confirm').isEnabled(), false, 'a shortfall needs a note');
  await byTestId(browser, 'close-note').setValue('50p given as change twice');
  await assertAccessible(browser, 'the close dialog');
  await shot('session-close-1280');
  await tap(browser, 'session-close-confirm');
  await approve('2468');
  await byTestId(browser, 'report').waitForDisplayed({ timeout: 15_000 });
  assert.equal(await text(browser, 'report-title'), 'Z report 1');
  assert.equal(await text(browser, 'fig-gross'), '£4.00');
  assert.equal(await text(browser, 'fig-orders'), '1');
  assert.equal(await text(browser, 'fig-expected'), '£91.50');
  assert.equal(await text(browser, 'fig-over-short'), '-£0.50');
  assert.match(await text(browser, 'report-note'), /50p given as change twice/);
  // The charts are drawn (Chart.js sizes each canvas it draws on).
  for (const chart of ['chart-hours', 'chart-tenders', 'chart-items']) {
    const width = await byTestId(browser, chart).getAttribute('width');
    assert.ok(Number(width) > 0, `${chart} is drawn`);
  }
  await assertAccessible(browser, 'the Z report');
  await shot('z-report-1280');

  // It printed on the receipt printer.
  await browser.waitUntil(
    () => printer.jobs.slice(before).some((j) => j.toString('latin1').includes('Z REPORT 1')),
    { timeout: 30_000, interval: 250, timeoutMsg: 'the Z report never reached the printer' },
  );
  const paper = printer.jobs.slice(before).find((j) => j.toString('latin1').includes('Z REPORT 1'));
  assert.match(paper.toString('latin1'), /Short/);

  // Exported as CSV, in pence (Sam may not see reports: Priya's PIN again).
  await tap(browser, 'report-csv');
  await approve('2468');
  await byTestId(browser, 'export-dialog').waitForDisplayed({ timeout: 10_000 });
  const csv = await byTestId(browser, 'export-content').getValue();
  assert.match(csv, /^section,name,value\n/);
  assert.match(csv, /\ncash,over_short,-50\n/);
  await tap(browser, 'export-close');

  // The stored Z, from the history; the audit chain is whole; the CLI agrees.
  await tap(browser, 'report-close');
  await tap(browser, 'z-history');
  await approve('2468');
  await byTestId(browser, 'z-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'audit-check');
  await approve('2468');
  assert.match(await text(browser, 'audit-ok'), /^The chain is whole: \d+ entries\.$/);
  assert.match(fynlo(till.db, ['audit', 'verify']), /^audit chain whole: /);
  await tap(browser, 'z-1');
  await byTestId(browser, 'report').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'fig-over-short'), '-£0.50');
});
