// A partial refund with a manager's approval in place, on the real window. Sam (cashier, 1357) sells a
// takeaway beef burger £15.50 and chips £4.00 (no service charge on takeaway: total £19.50) by card with
// no tip, then refunds the chips from the Recent screen. A cashier cannot approve a refund, so the
// manager PIN overlay opens over the refund dialog: Cancel changes nothing, a wrong PIN is refused and
// the overlay stays, and Priya's PIN (2468) approves it — without logging Sam out. The chips give back
// exactly £4.00, leaving £15.50 refundable on the card, and the order is partly refunded.
//
// Then the other approvals in place, on a dine-in order (soup £6.50, steak & ale pie £16.95, sent to the
// kitchen): voiding the soup, removing the service charge, and a 50% discount (above the 10% a cashier may
// give) that is cancelled on the overlay and so never applied.
//
// Then the approval rules on the order's state: a dine-in order with a service charge switched to
// takeaway (which drops the charge) needs a reason and then a manager; cancelling an order the kitchen
// has seen needs a manager. axe-core's WCAG 2.2 AA rules run on every screen and dialog on the way.

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
  typePin,
  text,
  waitForText,
} from './harness.mjs';
import { accessibilityProblems, assertAccessible } from './a11y.mjs';

let till;
let browser;

before(async () => {
  till = await startTill();
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
});

after(async () => {
  await till?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

async function approvalPin(pin) {
  for (const digit of pin) await tap(browser, `approval-key-${digit}`);
  await tap(browser, 'approval-enter');
}

test('a cashier refunds one line of a card payment with a manager’s PIN on the overlay', async () => {
  await typePin(browser, '1357');
  assert.equal(await text(browser, 'staff-name'), 'Sam Taylor');

  // The sale: a burger (its extras dialog, none chosen) and chips, by card with no tip.
  await tap(browser, 'category-mains');
  await tap(browser, 'product-burger');
  await tap(browser, 'dialog-add');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'category-sides');
  await tap(browser, 'product-chips');
  await byTestId(browser, 'line-2').waitForDisplayed({ timeout: 10_000 });
  await waitForText(browser, 'total', '£19.50');
  await tap(browser, 'pay');
  await tap(browser, 'tender-card');
  await tap(browser, 'sim-approve');
  await tap(browser, 'tender');
  await tap(browser, 'tip-none');
  await waitForText(browser, 'paid-by-provider', '£19.50');
  await tap(browser, 'new-order');

  // The Recent screen: the order, paid by card.
  await tap(browser, 'recent-orders');
  await tap(browser, 'recent-order-1');
  await waitForText(browser, 'detail-payment-state', 'Paid');
  await assertAccessible(browser, 'the recent orders');
  assert.match(await text(browser, 'detail-payment-1'), /Card £19\.50[\s\S]*£19\.50 refundable/);

  // Refund the chips (line 2), one of them, with a reason.
  await tap(browser, 'refund-payment-1');
  await tap(browser, 'refund-mode-lines');
  await tap(browser, 'refund-line-2-plus');
  assert.equal(await text(browser, 'refund-line-2-quantity'), '1');
  assert.equal(await byTestId(browser, 'refund-line-2-plus').isEnabled(), false, 'only one portion of chips');
  assert.equal(await byTestId(browser, 'dialog-confirm').isEnabled(), false, 'a reason is required');
  await byTestId(browser, 'refund-reason').setValue('Cold chips');
  await screenshot(browser, 'refund-dialog');
  assert.deepEqual(await accessibilityProblems(browser), [], 'refund dialog accessibility');
  await assertAccessible(browser, 'the refund dialog');

  // Sam cannot approve it: the overlay asks for a manager. Cancel changes nothing.
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'approval-what'), 'a refund of 1 × Chips to card');
  await assertAccessible(browser, 'the manager approval overlay');
  await tap(browser, 'approval-cancel');
  await byTestId(browser, 'approval-overlay').waitForExist({ reverse: true, timeout: 10_000 });
  assert.equal(await byTestId(browser, 'refund-dialog').isDisplayed(), true, 'the refund dialog is still open');
  assert.equal(await byTestId(browser, 'error').isExisting(), false, 'cancelling is not an error');
  assert.equal(await byTestId(browser, 'refund-reason').getValue(), 'Cold chips', 'nothing typed is lost');

  // Again: a wrong PIN is refused and the overlay stays; Sam's own PIN is no manager's, and only
  // managers' PINs are tried here, so it is just a wrong PIN too.
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  await approvalPin('1111');
  await waitForText(browser, 'approval-error-text', 'That PIN wasn’t recognised. Please try again.');
  assert.equal(await byTestId(browser, 'approval-overlay').isDisplayed(), true);
  await approvalPin('1357');
  // Both are recorded as wrong PINs on the approval screen (never the PIN itself).
  const failures = () => readOutbox(till.db).filter((op) => op.op_type === 'auth.pin_failed');
  await browser.waitUntil(async () => failures().length === 2, {
    timeout: 10_000,
    timeoutMsg: 'a cashier’s PIN is refused on the manager overlay, as a wrong PIN',
  });
  assert.deepEqual(
    failures().map((op) => op.payload.screen),
    ['approval', 'approval'],
  );
  assert.ok(!JSON.stringify(failures()).includes('1357'), 'the PIN is not recorded');
  await waitForText(browser, 'approval-error-text', 'That PIN wasn’t recognised. Please try again.');
  assert.equal(await byTestId(browser, 'approval-error').getAttribute('data-code'), 'wrong_pin');
  assert.equal(await byTestId(browser, 'approval-overlay').isDisplayed(), true);
  await screenshot(browser, 'manager-approval');
  assert.deepEqual(await accessibilityProblems(browser), [], 'approval overlay accessibility');
  await assertAccessible(browser, 'the manager approval overlay with a wrong PIN');

  // Priya approves; Sam is still the one logged in.
  await approvalPin('2468');
  await byTestId(browser, 'approval-overlay').waitForExist({ reverse: true, timeout: 10_000 });
  await byTestId(browser, 'refund-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await waitForText(browser, 'detail-payment-state', 'Partly refunded');
  assert.equal(await byTestId(browser, 'detail-payment-state').getAttribute('data-state'), 'partly_refunded');
  assert.equal(await text(browser, 'detail-refunded'), '£4.00');
  assert.match(await text(browser, 'detail-payment-1'), /£15\.50 refundable/);
  assert.match(await text(browser, 'detail-refund-1'), /£4\.00 to card · Cold chips[\s\S]*approved by priya/);
  assert.equal(await text(browser, 'detail-line-2-refunded'), '1 refunded');
  assert.equal(await text(browser, 'staff-name'), 'Sam Taylor', 'the cashier stayed logged in');
  await screenshot(browser, 'refund-done');
  assert.deepEqual(await accessibilityProblems(browser), [], 'recent orders accessibility');
  await assertAccessible(browser, 'the recent order, partly refunded');

  // The database agrees: a refund of line 2 for £4.00 by Sam, approved by Priya, succeeded at the provider.
  assert.match(fynlo(till.db, ['order', '1']), /completed/);
  const ops = outboxEvents(till.db).filter((op) => op.op_type.startsWith('order.refund'));
  assert.deepEqual(
    ops.map((op) => op.op_type),
    ['order.refund_started', 'order.refund_updated'],
  );
  const started = ops[0].payload.event.refund;
  assert.equal(started.tender, 'card');
  assert.equal(started.amount, 400);
  assert.deepEqual(started.lines, [{ line: 2, quantity: 1, amount: 400 }]);
  assert.equal(started.reason, 'Cold chips');
  assert.equal(started.staff, 'sam');
  assert.equal(started.approved_by, 'priya');
  assert.equal(ops[0].payload.staff, 'sam');
  assert.equal(ops[1].payload.event.status, 'succeeded');
});

test('voids, service-charge removal and large discounts ask for a manager’s PIN over their dialog', async () => {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-dine-in');
  await tap(browser, 'table-key-9');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await tap(browser, 'category-starters');
  await tap(browser, 'product-soup');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'category-mains');
  await tap(browser, 'product-pie');
  await byTestId(browser, 'line-2').waitForDisplayed({ timeout: 10_000 });
  // 2345 + 12.5 % service (293.125 → 293) = £26.38
  await waitForText(browser, 'total', '£26.38');
  await tap(browser, 'send');
  await browser.waitUntil(async () => !(await byTestId(browser, 'send').isEnabled()), { timeout: 10_000 });

  // Void the soup: the reason dialog, then the overlay over it; the PIN typed on the keyboard.
  await tap(browser, 'line-1-select');
  await tap(browser, 'line-1-void');
  await byTestId(browser, 'reason-input').setValue('Wrong item');
  await assertAccessible(browser, 'the void dialog');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'approval-what'), 'void Soup of the day');
  assert.equal(await byTestId(browser, 'reason-dialog').isDisplayed(), true, 'the void dialog waits underneath');
  await browser.keys(['2', '4', '6', '8', 'Enter']);
  await byTestId(browser, 'reason-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  assert.match(await text(browser, 'line-1'), /VOID · Wrong item/);
  // 1695 + 12.5 % (211.875 → 212) = £19.07
  await waitForText(browser, 'total', '£19.07');

  // Remove the service charge.
  await tap(browser, 'service-charge');
  await byTestId(browser, 'reason-input').setValue('Guest asked');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'approval-what'), 'removing the service charge');
  await approvalPin('2468');
  await waitForText(browser, 'total', '£16.95');
  assert.equal(await byTestId(browser, 'service-charge').getAttribute('aria-pressed'), 'false');

  // A 50% discount needs a manager; cancelling the overlay leaves the dialog as it was and no discount.
  await tap(browser, 'discount-order');
  await tap(browser, 'discount-mode-percent');
  await tap(browser, 'discount-preset-5000');
  // The dialog says a manager is needed before Apply is pressed (`discount_quote`).
  await byTestId(browser, 'discount-approval').waitForDisplayed({ timeout: 10_000 });
  await byTestId(browser, 'discount-reason').setValue('Friend of the owner');
  await assertAccessible(browser, 'the order discount dialog');
  await tap(browser, 'dialog-apply');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'approval-what'), 'a 50% discount');
  await tap(browser, 'approval-cancel');
  await byTestId(browser, 'approval-overlay').waitForExist({ reverse: true, timeout: 10_000 });
  assert.equal(await byTestId(browser, 'discount-dialog').isDisplayed(), true);
  await tap(browser, 'dialog-cancel');
  assert.equal(await text(browser, 'total'), '£16.95', 'no discount was given');
  assert.equal(await text(browser, 'staff-name'), 'Sam Taylor');

  // The history records who approved each (the app saves orders being built every two seconds).
  const approvals = () =>
    outboxEvents(till.db)
      .filter((op) => ['order.line_voided', 'order.service_charge_set'].includes(op.op_type))
      .map((op) => [op.op_type, op.payload.event.approved_by]);
  await browser.waitUntil(async () => approvals().length === 2, {
    timeout: 10_000,
    timeoutMsg: 'the void and the service-charge removal are saved',
  });
  assert.deepEqual(approvals(), [
    ['order.line_voided', 'priya'],
    ['order.service_charge_set', 'priya'],
  ]);
});

test('switching a dine-in order to takeaway asks for a reason and a manager; so does cancelling what the kitchen saw', async () => {
  // Table 3: steak & ale pie £16.95, 12.5 % service (211.875 → 212): £19.07.
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-dine-in');
  await tap(browser, 'table-key-3');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await tap(browser, 'category-mains');
  await tap(browser, 'product-pie');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await waitForText(browser, 'total', '£19.07');

  // To takeaway: that drops the service charge, so the core wants a reason — asked in the dialog's place.
  await tap(browser, 'order-type');
  await tap(browser, 'order-type-takeaway');
  await assertAccessible(browser, 'the order type dialog');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'reason-dialog').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await byTestId(browser, 'error').isExisting(), false, 'asking for a reason is not an error');
  await assertAccessible(browser, 'the reason for switching to takeaway');
  await byTestId(browser, 'reason-input').setValue('Guests leaving early');
  await tap(browser, 'dialog-confirm');
  // Then a manager, since Sam may not drop a service charge.
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'approval-what'), 'switching to takeaway (no service charge)');
  await approvalPin('2468');
  await byTestId(browser, 'reason-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await waitForText(browser, 'order-kind', 'Takeaway');
  await waitForText(browser, 'total', '£16.95');

  // Sent to the kitchen, it can only be cancelled with a manager's approval.
  await tap(browser, 'send');
  await browser.waitUntil(async () => !(await byTestId(browser, 'send').isEnabled()), { timeout: 10_000 });
  await tap(browser, 'cancel-order');
  await byTestId(browser, 'reason-input').setValue('Guest left');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'approval-what'), /^cancelling order \d+$/);
  await approvalPin('2468');
  await byTestId(browser, 'reason-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await byTestId(browser, 'new-takeaway').waitForDisplayed({ timeout: 10_000 });

  // The database: switched to takeaway with the reason and Priya's approval, then cancelled with hers.
  const opened = outboxEvents(till.db).filter((op) => op.op_type === 'order.opened').at(-1);
  const ops = outboxEvents(till.db).filter((op) => op.payload.order_id === opened.payload.order_id);
  const switched = ops.find((op) => op.op_type === 'order.kind_changed');
  assert.deepEqual([switched.payload.event.kind, switched.payload.event.reason], [{ type: 'takeaway' }, 'Guests leaving early']);
  const approved = ops.find((op) => op.op_type === 'order.approved');
  assert.equal(approved.payload.event.by, 'priya');
  const cancelled = ops.find((op) => op.op_type === 'order.cancelled');
  assert.deepEqual([cancelled.payload.event.reason, cancelled.payload.event.approved_by], ['Guest left', 'priya']);
  assert.match(fynlo(till.db, ['order', opened.payload.order_id]), /takeaway · cancelled/);
});
