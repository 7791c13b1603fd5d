// Printing end to end, on the real window, to a loopback ESC/POS network printer started here: a TCP
// server on 127.0.0.1 that answers the status queries (`DLE EOT n`) a connection starts with — `0x12`,
// all is well — and records the rest of each connection as one job.
//
// Priya (manager, 2468) adds the printer on the printers screen: receipts, printed on their own after
// each sale, a cash drawer on pin 2, tickets for the kitchen and the bar. Sam (cashier, 1357) sells
// Chips as a takeaway: the kitchen ticket preview shows what Send will print, Send sends it, cash pays
// it. The loopback printer receives the kitchen ticket (with "Chips" on it), the drawer kick
// (ESC @ ESC p 0 25 250) and the receipt (the restaurant's name, and £ as 0x9c in PC858). The receipt
// panel beside the change says it printed already (DUPLICATE). A reprint from Recent says "Duplicate
// receipt sent to Front counter", and that job comes out marked DUPLICATE.
//
// Then the printer is switched off: a test page waits, the top bar turns red and a banner says which
// printer has a problem and how many jobs wait; once it is back, Retry prints the waiting job.
//
// Screenshots of the printers screen and the receipt preview, at 1280×1024 and at the iPad's 768 px
// width, go to /tmp/e2e-shots/ (and the usual e2e-screenshots folder). axe-core's WCAG 2.2 AA rules run
// on each new screen and dialog.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startTill,
  byTestId,
  tap,
  screenshot,
  screenshottingTest,
  typePin,
  text,
  waitForText,
} from './harness.mjs';
import { assertAccessible, layoutProblems, resizeWindow, zoomTo } from './a11y.mjs';
import { loopbackPrinter } from './printer.mjs';

const SHOTS = '/tmp/e2e-shots';

/** The drawer kick for pin 2: ESC @, then ESC p 0 25 250. */
const DRAWER_KICK = Buffer.from([0x1b, 0x40, 0x1b, 0x70, 0x00, 0x19, 0xfa]);

let till;
let browser;
let printer;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  printer = await loopbackPrinter();
  till = await startTill();
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await resizeWindow(browser, 1280, 1024);
});

after(async () => {
  await till?.stop();
  await printer?.close();
});

const test = screenshottingTest(nodeTest, () => browser);

/** A screenshot in both places: the harness's folder and /tmp/e2e-shots. */
async function shot(name) {
  await screenshot(browser, name);
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

/**
 * Waits (bounded) until the loopback printer has received a job, from the `from`th on, that `matches`,
 * and returns it.
 */
async function waitForJob(what, matches, from = 0, timeout = 30_000) {
  let found;
  await browser.waitUntil(
    async () => {
      found = printer.jobs.slice(from).find(matches);
      return found !== undefined;
    },
    {
      timeout,
      interval: 250,
      timeoutMsg: `the printer never received ${what} (it has ${printer.jobs.length} jobs)`,
    },
  );
  return found;
}

const has = (job, bytes) => job.includes(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);

test('a manager adds a network receipt and kitchen printer with a cash drawer', async () => {
  await typePin(browser, '2468');
  await waitForText(browser, 'staff-name', 'Priya Shah');
  await tap(browser, 'nav-printers');
  await byTestId(browser, 'printer-add').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await byTestId(browser, 'nav-printers').getAttribute('data-level'), 'none');

  await tap(browser, 'printer-add');
  await byTestId(browser, 'printer-dialog').waitForDisplayed({
    timeout: 10_000,
  });
  // The defaults: a network printer on port 9100, 48 characters, PC858, partial cut, status checks on.
  assert.equal(await byTestId(browser, 'printer-port').getValue(), '9100');
  assert.equal(await byTestId(browser, 'printer-width-48').getAttribute('aria-checked'), 'true');
  assert.equal(await byTestId(browser, 'printer-code-page-pc858').getAttribute('aria-checked'), 'true');
  assert.equal(await byTestId(browser, 'printer-cut-partial').getAttribute('aria-checked'), 'true');
  assert.equal(await byTestId(browser, 'printer-status-check').getAttribute('aria-pressed'), 'true');

  // Save with nothing filled in: each problem is said beside its field, and nothing is sent.
  await tap(browser, 'printer-save');
  await byTestId(browser, 'printer-name-problem').waitForDisplayed({
    timeout: 10_000,
  });
  await byTestId(browser, 'printer-host-problem').waitForDisplayed({
    timeout: 10_000,
  });

  await byTestId(browser, 'printer-name').setValue('Front counter');
  // The id follows the name.
  assert.equal(await byTestId(browser, 'printer-id').getValue(), 'front-counter');
  await byTestId(browser, 'printer-host').setValue('127.0.0.1');
  await byTestId(browser, 'printer-port').clearValue();
  await byTestId(browser, 'printer-port').setValue(String(printer.port));
  await tap(browser, 'printer-receipts');
  await tap(browser, 'printer-auto-print');
  await tap(browser, 'printer-drawer-pin2');
  await tap(browser, 'printer-station-kitchen');
  await tap(browser, 'printer-station-bar');
  await assertAccessible(browser, 'the add printer dialog');
  await shot('printer-dialog-1280');
  await tap(browser, 'printer-save');
  await byTestId(browser, 'printer-dialog').waitForExist({
    reverse: true,
    timeout: 10_000,
  });

  await byTestId(browser, 'printer-front-counter').waitForDisplayed({
    timeout: 10_000,
  });
  await waitForText(browser, 'printer-front-counter-state', 'Ready');
  const card = await text(browser, 'printer-front-counter');
  assert.match(card, new RegExp(`127\\.0\\.0\\.1:${printer.port}`));
  assert.match(card, /Receipts \(automatic\) · Tickets: kitchen, bar · Cash drawer/);

  // A test page reaches the printer, and shows in the jobs as printed.
  await tap(browser, 'printer-front-counter-test');
  await waitForText(browser, 'print-notice', 'Test page sent to Front counter');
  await waitForJob('the test page', () => true);
  await browser.waitUntil(
    async () => {
      await tap(browser, 'jobs-refresh');
      return (await browser.$$('[data-what="test_page"][data-state="done"]').length) === 1;
    },
    {
      timeout: 20_000,
      interval: 500,
      timeoutMsg: 'the test page job shows as printed',
    },
  );
  await browser.waitUntil(
    async () => (await byTestId(browser, 'nav-printers').getAttribute('data-level')) === 'ok',
    { timeout: 15_000, timeoutMsg: 'the top bar says the printers are OK' },
  );
  await assertAccessible(browser, 'the printers screen');
  await shot('printers-1280');

  // At the iPad's portrait width the screen stacks into one column and nothing scrolls sideways.
  await resizeWindow(browser, 768, 1024);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, {
      visible: ['printer-add', 'printer-front-counter-test'],
    }),
    [],
    'the printers screen at 768 px',
  );
  await shot('printers-768');
  await assertAccessible(browser, 'the printers screen at 768 px');
  await resizeWindow(browser, 1280, 1024);

  // At 200 % text too.
  await zoomTo(browser, 200);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, { visible: ['printer-add', 'printer-front-counter-test'] }),
    [],
    'the printers screen at 200 %',
  );
  await shot('printers-200');
  await assertAccessible(browser, 'the printers screen at 200 %');
  await zoomTo(browser, 100);

  await tap(browser, 'lock');
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 10_000 });
});

test('a cashier’s sale prints the kitchen ticket, kicks the drawer and prints the receipt', async () => {
  const before = printer.jobs.length;
  await typePin(browser, '1357');
  await waitForText(browser, 'staff-name', 'Sam Taylor');
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({
    reverse: true,
    timeout: 10_000,
  });
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });

  // The preview shows the kitchen's ticket and the printer it goes to.
  await tap(browser, 'preview-tickets');
  await byTestId(browser, 'ticket-preview-dialog').waitForDisplayed({
    timeout: 10_000,
  });
  const ticket = await text(browser, 'ticket-preview-1');
  assert.match(ticket, /Kitchen ticket: kitchen/);
  assert.match(ticket, /Prints on Front counter/);
  assert.match(await text(browser, 'ticket-preview-1-paper'), /Chips/i);
  assert.equal(await byTestId(browser, 'ticket-preview-2').isExisting(), false, 'one station');
  await assertAccessible(browser, 'the kitchen ticket preview');
  await shot('ticket-preview-1280');
  await tap(browser, 'dialog-cancel');
  await byTestId(browser, 'ticket-preview-dialog').waitForExist({
    reverse: true,
    timeout: 10_000,
  });
  assert.equal(printer.jobs.length, before, 'a preview prints nothing');

  // Send stays one tap.
  await tap(browser, 'send');
  await browser.waitUntil(async () => !(await byTestId(browser, 'send').isEnabled()), {
    timeout: 10_000,
    timeoutMsg: 'Send is done (nothing left to send)',
  });
  const kitchen = await waitForJob('the kitchen ticket', (j) => /chips/i.test(j.toString('latin1')), before);
  assert.ok(!has(kitchen, 'The Copper Kettle'), 'the kitchen ticket is not a receipt');

  await tap(browser, 'pay');
  await tap(browser, 'exact');
  await tap(browser, 'tender');
  await byTestId(browser, 'new-order').waitForDisplayed({ timeout: 10_000 });

  // The receipt panel: the paper's words, and that it printed on its own already.
  await byTestId(browser, 'receipt-preview').waitForDisplayed({
    timeout: 10_000,
  });
  const paper = await text(browser, 'receipt-preview');
  assert.match(paper, /The Copper Kettle/);
  assert.match(paper, /Chips/);
  assert.match(paper, /DUPLICATE/);
  assert.match(await text(browser, 'receipt-duplicate'), /Already printed on Front counter/);
  await assertAccessible(browser, 'the change due with the receipt');
  await shot('receipt-preview-1280');
  await resizeWindow(browser, 768, 1024);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(await layoutProblems(browser, { visible: ['new-order'] }), [], 'the receipt at 768 px');
  await shot('receipt-preview-768');
  await assertAccessible(browser, 'the change due with the receipt at 768 px');
  await resizeWindow(browser, 1280, 1024);

  const drawer = await waitForJob('the drawer kick', (j) => has(j, DRAWER_KICK), before);
  assert.ok(drawer.length < 64, 'the drawer kick is a job of its own');
  const receipt = await waitForJob('the receipt', (j) => has(j, 'The Copper Kettle'), before);
  assert.ok(receipt.includes(0x9c), 'the receipt has £ as 0x9c (PC858)');
  assert.ok(!has(receipt, 'DUPLICATE'), 'the first receipt is the original');

  // No receipt closes the panel; the next sale is one tap away all along.
  await tap(browser, 'receipt-skip');
  await byTestId(browser, 'receipt-panel').waitForExist({
    reverse: true,
    timeout: 10_000,
  });
  await tap(browser, 'new-order');
  await byTestId(browser, 'new-takeaway').waitForDisplayed({ timeout: 10_000 });
});

test('a reprint from Recent comes out marked DUPLICATE', async () => {
  const before = printer.jobs.length;
  await tap(browser, 'recent-orders');
  await tap(browser, 'recent-order-1');
  await waitForText(browser, 'detail-number', 'Order 1');
  await assertAccessible(browser, 'a recent order with Reprint');
  await tap(browser, 'reprint-receipt');
  await waitForText(browser, 'print-notice', 'Duplicate receipt sent to Front counter');
  const copy = await waitForJob('the reprint', (j) => has(j, 'The Copper Kettle'), before);
  assert.ok(has(copy, 'DUPLICATE'), 'the reprint says DUPLICATE');
  await shot('recent-reprint-1280');
});

test('a printer that is off shows a banner, and Retry prints what waited once it is back', async () => {
  await printer.close();
  await tap(browser, 'nav-printers');
  await byTestId(browser, 'printer-front-counter-test').waitForDisplayed({
    timeout: 10_000,
  });
  const before = printer.jobs.length;
  await tap(browser, 'printer-front-counter-test');
  // The spooler's try fails (connection refused); the next poll of the status shows it.
  await byTestId(browser, 'printer-banner').waitForDisplayed({
    timeout: 30_000,
  });
  const banner = await text(browser, 'printer-banner');
  assert.match(banner, /Front counter: .+ — 1 job waiting\./);
  assert.equal(await byTestId(browser, 'nav-printers').getAttribute('data-level'), 'problem');
  await tap(browser, 'jobs-refresh');
  await assertAccessible(browser, 'the printers screen with a printer problem');
  await shot('printer-problem-1280');

  await printer.reopen();
  await tap(browser, 'printer-retry');
  await waitForJob('the test page that waited', () => true, before);
  await byTestId(browser, 'printer-banner').waitForExist({
    reverse: true,
    timeout: 30_000,
  });
  await browser.waitUntil(
    async () => (await byTestId(browser, 'nav-printers').getAttribute('data-level')) === 'ok',
    {
      timeout: 15_000,
      timeoutMsg: 'the top bar says the printers are OK again',
    },
  );
});
