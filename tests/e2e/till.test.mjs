// The till app end to end: the real window, built with its UI embedded, driven over WebDriver under Xvfb.
// Amounts are worked out by hand from the demo menu: sirloin £26.00 (medium rare, no charge), a pint of
// house lager £5.95 × 2, takeaway (no service charge): subtotal £37.90, 10% off £3.79, total £34.11,
// VAT 20% = 3411 / 6 = 568.5 → £5.69; £50 cash → £15.89 change. 25% off would be 947.5 → £9.48 (half up),
// which needs a manager (over the 10% a cashier may give).
//
// axe-core's WCAG 2.2 AA rules run on every screen and dialog on the way, and the order and payment
// screens are checked again at 200 % text (the till's own zoom, set with Ctrl +).

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTill,
  byTestId,
  tap,
  screenshot,
  fynlo,
  outbox as readOutbox,
  outboxEvents,
  screenshottingTest,
  typePin as typePinOn,
  text as textOn,
  waitForText,
} from './harness.mjs';
import { accessibilityProblems, assertAccessible, focusIsVisible, layoutProblems, zoomTo } from './a11y.mjs';

let till;
let browser;

before(async () => {
  till = await startTill();
  browser = till.browser;
});

after(async () => {
  await till?.stop();
});

// A failing test leaves a picture of the window behind, named after the test.
const test = screenshottingTest(nodeTest, () => browser);
const typePin = (pin) => typePinOn(browser, pin);
const text = (id) => textOn(browser, id);

test('a wrong PIN is refused with a clear message', async () => {
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  assert.deepEqual(await accessibilityProblems(browser), [], 'PIN screen accessibility');
  const focus = await focusIsVisible(browser);
  assert.ok(focus.ok, `focus is visible on the PIN screen (${focus.what})`);
  await assertAccessible(browser, 'the PIN screen');
  await typePin('0000');
  const message = await text('error');
  assert.match(message, /PIN/i);
  await screenshot(browser, 'login-wrong-pin');
  await assertAccessible(browser, 'the PIN screen with a wrong PIN');
  assert.equal(await byTestId(browser, 'staff-name').isExisting(), false, 'still logged out');
});

test('a cashier sells a steak and two pints for cash, with a discount', async () => {
  await typePin('1357');
  assert.equal(await text('staff-name'), 'Sam Taylor');
  await screenshot(browser, 'order-screen');
  assert.deepEqual(await accessibilityProblems(browser), [], 'order screen accessibility');
  await assertAccessible(browser, 'the order screen with no order');

  await tap(browser, 'start-order');
  await byTestId(browser, 'order-type-dialog').waitForDisplayed({ timeout: 10_000 });
  await assertAccessible(browser, 'the new order dialog');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');

  // A product with a required modifier: the dialog will not add it until a cooking choice is made.
  await tap(browser, 'category-mains');
  await tap(browser, 'product-sirloin');
  const add = byTestId(browser, 'dialog-add');
  await add.waitForDisplayed({ timeout: 10_000 });
  await screenshot(browser, 'modifier-dialog');
  assert.deepEqual(await accessibilityProblems(browser), [], 'modifier dialog accessibility');
  await assertAccessible(browser, 'the modifier dialog');
  // Where the line's total will be, the core says what is missing, in its own words (`line_quote`).
  await waitForText(browser, 'dialog-problem', 'Cooking: choose at least 1');
  assert.equal(await byTestId(browser, 'dialog-total').isExisting(), false, 'no total without a cooking');
  if (await add.isEnabled()) await add.click();
  assert.equal(await add.isDisplayed(), true, 'the dialog stays open without a required choice');
  assert.equal(await byTestId(browser, 'line-1').isExisting(), false, 'nothing was added');
  await tap(browser, 'modifier-medium-rare');
  // The total is the core's, and follows the quantity.
  await waitForText(browser, 'dialog-total', '£26.00');
  await tap(browser, 'dialog-quantity-plus');
  await waitForText(browser, 'dialog-quantity', '2');
  await waitForText(browser, 'dialog-total', '£52.00');
  await screenshot(browser, 'modifier-dialog-total');
  await assertAccessible(browser, 'the modifier dialog with a total');
  await tap(browser, 'dialog-quantity-minus');
  await waitForText(browser, 'dialog-total', '£26.00');
  await tap(browser, 'dialog-add');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await byTestId(browser, 'line-1').getAttribute('data-quantity'), '1');

  // A product with variants.
  await tap(browser, 'category-alcohol');
  await tap(browser, 'product-lager');
  await waitForText(browser, 'dialog-problem', 'House lager: choose a variant');
  await tap(browser, 'variant-pint');
  await waitForText(browser, 'dialog-total', '£5.95');
  await tap(browser, 'dialog-add');
  await byTestId(browser, 'line-2').waitForDisplayed({ timeout: 10_000 });

  // Change a quantity.
  await tap(browser, 'line-2-plus');
  await browser.waitUntil(async () => (await text('line-2-quantity')).startsWith('2'), { timeout: 10_000 });

  // An 86'd product cannot be added.
  await tap(browser, 'category-starters');
  const squid = byTestId(browser, 'product-squid');
  await squid.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await squid.isEnabled(), false, "the 86'd squid is disabled");
  assert.equal(await byTestId(browser, 'line-3').isExisting(), false);
  await assertAccessible(browser, 'the order screen with a ticket');

  // At 200 % text the order screen reflows: no sideways scrolling, the ticket's lines and the product
  // tiles keep a real size, and the balance is on screen, not covered.
  await zoomTo(browser, 200);
  assert.deepEqual(
    await layoutProblems(browser, {
      sized: { '[data-testid^="line-"][data-quantity]': [160, 40], '[data-testid^="product-"]': [120, 80] },
      visible: ['line-1', 'balance', 'pay'],
    }),
    [],
    'the order screen at 200 %',
  );
  await screenshot(browser, 'order-screen-200');
  await assertAccessible(browser, 'the order screen at 200 %');
  await zoomTo(browser, 100);

  // 10% off the order, with a reason.
  await tap(browser, 'discount-order');
  await tap(browser, 'discount-mode-percent');
  await tap(browser, 'discount-preset-1000');
  // What it takes off, of what, is the core's (`discount_quote`); 10 % needs no manager.
  await waitForText(browser, 'discount-preview', 'Takes £3.79 off £37.90');
  assert.equal(await byTestId(browser, 'discount-approval').isExisting(), false, '10% needs no manager');
  // 25 % is over the cashier's limit: the dialog says so before Apply is pressed.
  await tap(browser, 'discount-preset-2500');
  await waitForText(browser, 'discount-preview', 'Takes £9.48 off £37.90');
  await byTestId(browser, 'discount-approval').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text('discount-approval'), /manager will need to approve/);
  await assertAccessible(browser, 'the discount dialog, needing a manager');
  await tap(browser, 'discount-preset-1000');
  await waitForText(browser, 'discount-preview', 'Takes £3.79 off £37.90');
  await byTestId(browser, 'discount-approval').waitForExist({ reverse: true, timeout: 10_000 });
  await byTestId(browser, 'discount-reason').setValue('regular');
  await assertAccessible(browser, 'the discount dialog');
  await tap(browser, 'dialog-apply');
  await browser.waitUntil(async () => (await text('total')) === '£34.11', {
    timeout: 10_000,
    timeoutMsg: 'the total after 10% off is £34.11',
  });
  assert.equal(await text('vat-standard').then((t) => t.includes('£5.69')), true, 'VAT at 20% is £5.69');

  // Cash: £50 note, £15.89 change, the order completes.
  await tap(browser, 'pay');
  await byTestId(browser, 'tender-amount').waitForDisplayed({ timeout: 10_000 });
  await screenshot(browser, 'payment');
  assert.deepEqual(await accessibilityProblems(browser), [], 'payment screen accessibility');
  await assertAccessible(browser, 'the payment screen');

  // At 200 % text the payment screen stacks: the balance due is on screen, not under the keypad.
  await zoomTo(browser, 200);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, {
      sized: { '[data-testid^="cash-key-"]': [48, 48] },
      visible: ['balance', 'paying', 'tender-amount', 'tender'],
    }),
    [],
    'the payment screen at 200 %',
  );
  await screenshot(browser, 'payment-200');
  await assertAccessible(browser, 'the payment screen at 200 %');
  await zoomTo(browser, 100);

  await tap(browser, 'quick-cash-5000');
  await waitForText(browser, 'change-preview', '£15.89');
  await tap(browser, 'tender');
  assert.equal(await text('change-due'), '£15.89');
  await screenshot(browser, 'payment-change');
  await assertAccessible(browser, 'the change due');

  // Another order is parked, so the open-orders list has something in it.
  await tap(browser, 'new-order');
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'park');
  await byTestId(browser, 'new-takeaway').waitForDisplayed({ timeout: 10_000 });

  // The open-orders list: the parked order is there, and the paid order has left it.
  await tap(browser, 'open-orders');
  await byTestId(browser, 'open-order-2').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await byTestId(browser, 'open-order-1').isExisting(), false, 'the paid order has left the list');
  assert.equal(await browser.$$('[data-testid^="open-order-"]').length, 1, 'only the parked order is open');
  await screenshot(browser, 'open-orders');
  assert.deepEqual(await accessibilityProblems(browser), [], 'open orders accessibility');
  await assertAccessible(browser, 'the open orders');

  // The SQLite file says the same: completed, right totals, the sale's events in the outbox.
  const shown = fynlo(till.db, ['order', '1', '--history']);
  assert.match(shown, /completed/);
  assert.match(shown, /TOTAL\s+£34\.11/);
  assert.match(shown, /VAT 20% on £34\.11\s+£5\.69/);
  assert.match(shown, /change £15\.89/);
  const open = fynlo(till.db, ['orders']);
  assert.match(open, /^#2\s/m, 'the parked order is open in the database');
  assert.doesNotMatch(open, /^#1\s/m, 'the paid order is not');
  const outbox = readOutbox(till.db);
  const events = outboxEvents(till.db);
  const first = events[0].payload.order_id;
  const orderOps = events.filter((op) => op.payload.order_id === first).map((op) => op.op_type);
  assert.equal(orderOps[0], 'order.opened');
  assert.ok(orderOps.includes('order.payment_recorded'));
  assert.equal(orderOps.at(-1), 'order.completed');
  outbox.forEach((op, i) => assert.equal(op.seq, i + 1, 'the outbox sequence has no gaps'));
});
