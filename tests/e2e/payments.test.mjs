// Split bills on the real window: a bill split evenly and paid part by part with cash, a declined and then
// approved card (with a tip on the customer-facing prompt), and cash again; and a split by item with a
// shared starter. Every amount below is worked out by hand from the demo menu.
//
// Table 5, 3 covers, dine-in (service charge 12.5 %, discretionary):
//   fish & chips £16.50 + beef burger £15.50 + mushroom risotto £14.95 = £46.95
//   service charge 4695 × 12.5 % = 586.875 → 587; total 4695 + 587 = £52.82
//   evenly in 3: 5282 / 3 = 1760.67 → £17.61, £17.61, £17.60 (the extra penny to the earlier parts)
//   each part's food is 4695 / 3 = £15.65, so a 10 % tip on part 2 is 156.5 → £1.57 (half up);
//   the card charges 1761 + 157 = £19.18
//   part 1: £20 cash → £2.39 change; part 3: £17.60 cash exact.
//
// Table 7, 3 covers, by item: wings £7.95 shared by all three (265p each), then one main each —
// fish & chips £16.50, beef burger £15.50, risotto £14.95:
//   food per guest: 265 + 1650 = 1915, 265 + 1550 = 1815, 265 + 1495 = 1760; together 5490
//   service charge 5490 × 12.5 % = 686.25 → 686, shared in proportion to each guest's food:
//     686 × 1915 / 5490 = 239.29, 686 × 1815 / 5490 = 226.79, 686 × 1760 / 5490 = 219.92;
//     rounded down that is 239 + 226 + 219 = 684, and the 2 pennies left go to the largest remainders
//     (.92, then .79): 239, 227, 220
//   parts: 1915 + 239 = £21.54, 1815 + 227 = £20.42, 1760 + 220 = £19.80 (together £61.76)
//   then by amount, £30.00 and the rest, £31.76; after part 1 is paid, split again evenly: £15.88 each.
//
// Takeaway (no service charge): soup £6.50 by pay by bank, which waits for the customer (the second time
// with a £1.00 tip the guest types: £7.50 charged); chips £4.00 with a £5 note, the £1.00 change kept as a
// tip.
//
// Every amount on the tip prompt and every change shown before cash is taken comes from the core
// (`tip_options`, `cash_quote`); axe-core's WCAG 2.2 AA rules run on every screen and dialog on the way.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTill,
  byTestId,
  tap,
  screenshot,
  fynlo,
  outboxEvents,
  screenshottingTest,
  typePin,
  text,
  waitForText,
} from './harness.mjs';
import { accessibilityProblems, assertAccessible, layoutProblems, zoomTo } from './a11y.mjs';

let till;
let browser;

before(async () => {
  till = await startTill();
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await typePin(browser, '1357');
  await byTestId(browser, 'staff-name').waitForDisplayed({ timeout: 10_000 });
});

after(async () => {
  await till?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

/** Opens a dine-in order at `table` for `covers`. */
async function dineIn(table, covers) {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-dine-in');
  for (const digit of table) await tap(browser, `table-key-${digit}`);
  while (Number(await byTestId(browser, 'covers-value').getText()) < covers) await tap(browser, 'covers-plus');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
}

/** Adds products by id; the burger's optional extras are left out in its dialog. */
async function add(...products) {
  for (const product of products) {
    const count = (await browser.$$('[data-testid^="line-"][data-quantity]')).length;
    await tap(browser, `product-${product}`);
    if (product === 'burger') await tap(browser, 'dialog-add');
    await byTestId(browser, `line-${count + 1}`).waitForDisplayed({ timeout: 10_000 });
  }
}

/** Opens a takeaway order from the top bar, whatever is on screen. */
async function takeaway() {
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-takeaway');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
}

async function isPaid(part) {
  return (await byTestId(browser, `part-${part}`).getAttribute('data-paid')) === 'true';
}

test('a bill split three ways is paid by cash with change, card with a 10% tip, and cash', async () => {
  await dineIn('5', 3);
  await tap(browser, 'category-mains');
  await add('fish-chips', 'burger', 'risotto');
  await waitForText(browser, 'total', '£52.82');

  await tap(browser, 'pay');
  await tap(browser, 'split-bill');
  await tap(browser, 'split-mode-even');
  assert.equal(await text(browser, 'split-parts-value'), '3', 'the split starts at the covers');
  await screenshot(browser, 'split-even');
  await assertAccessible(browser, 'the split dialog, evenly');
  await tap(browser, 'dialog-confirm');
  await waitForText(browser, 'part-1-total', '£17.61');
  assert.equal(await text(browser, 'part-2-total'), '£17.61');
  assert.equal(await text(browser, 'part-3-total'), '£17.60');
  assert.equal(await isPaid(1), false);

  // Part 1: a £20 note, £2.39 change.
  await tap(browser, 'part-1');
  await tap(browser, 'tender-cash');
  await tap(browser, 'quick-cash-2000');
  // The core's cash quote, shown before the cash is taken.
  await waitForText(browser, 'change-preview', '£2.39');
  await tap(browser, 'tender');
  await waitForText(browser, 'change-due', '£2.39');
  assert.equal(await isPaid(1), true, 'part 1 is ticked');
  assert.equal(await byTestId(browser, 'part-1-tick').isDisplayed(), true);
  assert.equal(await text(browser, 'balance'), '£35.21');

  // Part 2 by card: the guest picks 10% (£1.57 on £15.65 of food) and the card is declined for lack of funds.
  await tap(browser, 'part-2');
  await tap(browser, 'tender-card');
  await waitForText(browser, 'charge-amount', '£17.61');
  await tap(browser, 'sim-insufficient_funds');
  await tap(browser, 'tender');
  await byTestId(browser, 'tip-prompt').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await text(browser, 'tip-amount-due'), '£17.61');
  // What each button adds is the core's answer (tip_options), on part 2's food: 1565.
  await waitForText(browser, 'tip-preset-1000-amount', '£1.57');
  await waitForText(browser, 'tip-preset-500-amount', '£0.78'); // 78.25 → 78
  await waitForText(browser, 'tip-preset-2000-amount', '£3.13');
  await screenshot(browser, 'tip-prompt');
  assert.deepEqual(await accessibilityProblems(browser), [], 'tip prompt accessibility');
  await assertAccessible(browser, 'the tip prompt');
  await tap(browser, 'tip-preset-1000');
  await waitForText(browser, 'attempt-status', 'Card £19.18: Declined: insufficient_funds');
  assert.equal(await isPaid(2), false, 'a declined card pays nothing');
  await screenshot(browser, 'payment-declined');
  await assertAccessible(browser, 'the payment screen with a declined card');

  // Try again, approved this time.
  await tap(browser, 'sim-approve');
  await tap(browser, 'attempt-retry');
  await tap(browser, 'tip-preset-1000');
  await browser.waitUntil(() => isPaid(2), { timeout: 10_000, timeoutMsg: 'part 2 is ticked' });
  assert.equal(await text(browser, 'part-2-tip'), '£1.57');
  assert.equal(await text(browser, 'order-tips'), '£1.57');
  assert.equal(await text(browser, 'balance'), '£17.60');

  // The restaurant's cost of each way to pay the last part.
  await tap(browser, 'fees-toggle');
  await byTestId(browser, 'fee-saves').waitForDisplayed({ timeout: 10_000 });
  // Card 2.9 % of 1760 = 51.04 → 51, + 30p, + 1 % platform 17.6 → 18: £0.99; pay by bank 0.2 % = 3.52 → 4,
  // + 18: £0.22; it saves £0.77. Cash costs nothing.
  assert.match(await text(browser, 'fee-card'), /£0\.99$/);
  assert.match(await text(browser, 'fee-pay_by_bank'), /£0\.22$/);
  assert.match(await text(browser, 'fee-cash'), /£0\.00$/);
  assert.equal(await text(browser, 'fee-saves'), 'Pay by bank saves £0.77');
  await screenshot(browser, 'payment-costs');
  await browser.execute(() => document.querySelectorAll('main section').forEach((s) => s.scrollTo(0, 0)));
  await screenshot(browser, 'payment-split');
  assert.deepEqual(await accessibilityProblems(browser), [], 'split payment screen accessibility');
  await assertAccessible(browser, 'the payment screen of a split bill');

  // At 200 % text: one column, the balance due on screen and not under the keypad, the parts readable.
  await zoomTo(browser, 200);
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, {
      sized: { '[data-testid^="part-"][data-paid]': [150, 80] },
      visible: ['balance', 'part-3', 'paying'],
    }),
    [],
    'the split payment screen at 200 %',
  );
  await screenshot(browser, 'payment-split-200');
  await assertAccessible(browser, 'the payment screen of a split bill at 200 %');
  await zoomTo(browser, 100);

  // Part 3: exact cash completes the order.
  await tap(browser, 'tender-cash');
  assert.equal(await text(browser, 'paying'), 'Part 3: £17.60 due');
  await tap(browser, 'exact');
  await tap(browser, 'tender');
  await waitForText(browser, 'change-due', '£0.00');
  for (const part of [1, 2, 3]) assert.equal(await isPaid(part), true, `part ${part} is ticked`);
  await screenshot(browser, 'payment-split-done');

  // The database agrees: three payments, the tip on part 2, nothing due.
  const shown = fynlo(till.db, ['order', '1']);
  assert.match(shown, /completed/);
  assert.match(shown, /TOTAL\s+£52\.82/);
  assert.match(shown, /cash £17\.61 part 1 succeeded.*change £2\.39/);
  assert.match(shown, /card £17\.61 part 2 failed.*declined: insufficient_funds/);
  assert.match(shown, /card £17\.61 part 2 succeeded.*tip £1\.57/);
  assert.match(shown, /cash £17\.60 part 3 succeeded/);
  assert.match(shown, /Tips[^\n]*£1\.57/);
  assert.match(shown, /Balance\s+£0\.00/);
  const ops = outboxEvents(till.db).filter((op) => op.op_type.startsWith('order.'));
  const started = ops.filter((op) => op.op_type === 'order.payment_started').map((op) => op.payload.event.payment);
  assert.equal(started.length, 2, 'two card attempts');
  for (const p of started) {
    assert.equal(p.tender, 'card');
    assert.equal(p.amount, 1761);
    assert.equal(p.tip, 157);
    assert.equal(p.part.part, 2);
  }
  const updates = ops.filter((op) => op.op_type === 'order.payment_updated').map((op) => op.payload.event);
  assert.deepEqual(
    updates.map((u) => [u.status, u.note]),
    [
      ['failed', 'declined: insufficient_funds'],
      ['succeeded', null],
    ],
  );
  const cash = ops.filter((op) => op.op_type === 'order.payment_recorded').map((op) => op.payload.event.payment);
  assert.deepEqual(
    cash.map((p) => [p.part.part, p.amount, p.tendered, p.change ?? 0, p.tip ?? 0]),
    [
      [1, 1761, 2000, 239, 0],
      [3, 1760, 1760, 0, 0],
    ],
  );
  assert.equal(ops.at(-1).op_type, 'order.completed');

  await tap(browser, 'new-order');
});

test('a split by item shares a starter between three guests to the penny; by amount; split again', async () => {
  await dineIn('7', 3);
  await tap(browser, 'category-starters');
  await add('wings');
  await tap(browser, 'category-mains');
  await add('fish-chips', 'burger', 'risotto');
  await waitForText(browser, 'total', '£61.76');

  await tap(browser, 'pay');
  await tap(browser, 'split-bill');
  await tap(browser, 'split-mode-by_item');
  assert.equal(await text(browser, 'split-parts-value'), '3');
  // Nothing assigned yet: every line says so, and the split cannot be confirmed.
  assert.equal(await text(browser, 'split-line-1-guests'), 'Not assigned');
  assert.equal(await byTestId(browser, 'dialog-confirm').isEnabled(), false);

  // The wings are shared by all three; then one main each.
  await tap(browser, 'split-line-1');
  for (const guest of [1, 2, 3]) await tap(browser, `split-guest-${guest}`);
  await waitForText(browser, 'split-line-1-guests', 'Shared: Guest 1, Guest 2, Guest 3');
  for (const [line, guest] of [
    [2, 1],
    [3, 2],
  ]) {
    await tap(browser, `split-line-${line}`);
    await tap(browser, `split-guest-${guest}`);
  }
  assert.equal(await text(browser, 'split-line-4-guests'), 'Not assigned', 'an unassigned line stays visible');
  assert.equal(await byTestId(browser, 'dialog-confirm').isEnabled(), false, 'and blocks the split');
  assert.equal(await text(browser, 'split-problem'), '1 item is not given to anyone');
  await tap(browser, 'split-line-4');
  await tap(browser, 'split-guest-3');
  await screenshot(browser, 'split-by-item');
  assert.deepEqual(await accessibilityProblems(browser), [], 'split dialog accessibility');
  await assertAccessible(browser, 'the split dialog, by item');
  await tap(browser, 'dialog-confirm');

  await waitForText(browser, 'part-1-total', '£21.54');
  assert.equal(await text(browser, 'part-2-total'), '£20.42');
  assert.equal(await text(browser, 'part-3-total'), '£19.80');
  assert.equal(await text(browser, 'part-1-due'), '£21.54');

  // Clearing the split gives the whole bill back.
  await tap(browser, 'split-clear');
  await byTestId(browser, 'part-1').waitForExist({ reverse: true, timeout: 10_000 });
  assert.equal(await text(browser, 'balance'), '£61.76');

  // By amount: £30.00 for one guest, the rest (£31.76) for the other; it must add up before it splits.
  await tap(browser, 'split-bill');
  await tap(browser, 'split-mode-by_amount');
  await tap(browser, 'split-parts-minus');
  await tap(browser, 'split-part-1');
  for (const key of ['3', '0', '00']) await tap(browser, `split-key-${key}`);
  await waitForText(browser, 'split-remaining', 'Left to allocate £31.76');
  assert.equal(await byTestId(browser, 'dialog-confirm').isEnabled(), false);
  await tap(browser, 'split-part-2');
  await tap(browser, 'split-fill');
  await waitForText(browser, 'split-part-2-amount', '£31.76');
  assert.equal(await text(browser, 'split-remaining'), 'Left to allocate £0.00');
  await assertAccessible(browser, 'the split dialog, by amount');
  await tap(browser, 'dialog-confirm');
  await waitForText(browser, 'part-1-total', '£30.00');
  assert.equal(await text(browser, 'part-2-total'), '£31.76');

  // Part 1 pays cash; then what remains is split again, evenly in two: 3176 / 2 = £15.88 each.
  await tap(browser, 'part-1');
  await tap(browser, 'tender-cash');
  await tap(browser, 'exact');
  await tap(browser, 'tender');
  await browser.waitUntil(() => isPaid(1), { timeout: 10_000, timeoutMsg: 'part 1 is ticked' });
  await tap(browser, 'split-again');
  assert.equal(await byTestId(browser, 'split-mode-by_item').isEnabled(), false, 'by item only before a payment');
  assert.equal(await text(browser, 'split-due'), '£31.76');
  await tap(browser, 'split-mode-even');
  while (Number(await text(browser, 'split-parts-value')) > 2) await tap(browser, 'split-parts-minus');
  await tap(browser, 'dialog-confirm');
  await waitForText(browser, 'part-1-total', '£15.88');
  assert.equal(await text(browser, 'part-2-total'), '£15.88');
  assert.equal(await byTestId(browser, 'part-3').isExisting(), false);
  assert.equal(await isPaid(1), false, 'the new parts start unpaid');
  assert.equal(await text(browser, 'balance'), '£31.76');

  // The database agrees: £30.00 paid on part 1 of the split by amount, £31.76 still due; and the history
  // holds every split in turn — by item with the wings shared three ways, cleared, by amount, and, after
  // the payment, the rest evenly in two (the app saves what is being built every two seconds).
  const shown = fynlo(till.db, ['order', '2']);
  assert.match(shown, /table 7, 3 covers · pending/);
  assert.match(shown, /TOTAL\s+£61\.76/);
  assert.match(shown, /Paid\s+£30\.00/);
  assert.match(shown, /cash £30\.00 part 1 succeeded/);
  assert.match(shown, /Balance\s+£31\.76/);
  const orderId = outboxEvents(till.db).find((op) => op.op_type === 'order.opened' && op.payload.event.number === 2)
    ?.payload.order_id;
  const splits = () =>
    outboxEvents(till.db)
      .filter((op) => op.payload.order_id === orderId && op.op_type === 'order.split_set')
      .map((op) => op.payload.event.split);
  await browser.waitUntil(async () => splits().length === 4, {
    timeout: 10_000,
    timeoutMsg: 'the four splits are saved',
  });
  const [byItem, cleared, byAmount, again] = splits();
  assert.deepEqual(byItem.plan, {
    type: 'by_item',
    parts: 3,
    items: [
      { line: 1, weights: [1, 1, 1] },
      { line: 2, weights: [1, 0, 0] },
      { line: 3, weights: [0, 1, 0] },
      { line: 4, weights: [0, 0, 1] },
    ],
  });
  assert.equal(cleared, null);
  assert.deepEqual(byAmount.plan, { type: 'by_amount', amounts: [3000, 3176] });
  assert.deepEqual([again.plan, again.settled], [{ type: 'even', parts: 2 }, 3000]);
  const paid = outboxEvents(till.db)
    .filter((op) => op.payload.order_id === orderId && op.op_type === 'order.payment_recorded')
    .map((op) => op.payload.event.payment);
  assert.deepEqual(
    paid.map((p) => [p.tender, p.amount, p.part.part]),
    [['cash', 3000, 1]],
  );
});

test('a pay-by-bank payment waiting for the customer is cancelled, then checked again; cash change kept as a tip', async () => {
  await takeaway();
  await tap(browser, 'category-starters');
  await add('soup');
  await tap(browser, 'pay');
  await tap(browser, 'tender-pay_by_bank');
  await tap(browser, 'sim-requires_action');
  await tap(browser, 'tender');
  await tap(browser, 'tip-none');
  const status = byTestId(browser, 'attempt-status');
  await browser.waitUntil(async () => (await status.getAttribute('data-status')) === 'pending', { timeout: 10_000 });
  assert.match(await status.getText(), /^Pay by bank £6\.50: Waiting for the customer to approve/);
  assert.equal(await text(browser, 'paying'), 'Due now: £0.00', 'the waiting attempt holds what is due');
  await screenshot(browser, 'payment-pending');

  // Cancel gives the amount back to pay; Try again waits again; Check again finds it approved.
  await tap(browser, 'attempt-cancel');
  await browser.waitUntil(async () => (await status.getAttribute('data-status')) === 'cancelled', { timeout: 10_000 });
  assert.match(await status.getText(), /Cancelled at the provider/);
  assert.equal(await text(browser, 'balance'), '£6.50');
  // This time the guest types their own tip: £1.00 on the keypad.
  await tap(browser, 'attempt-retry');
  await tap(browser, 'tip-custom-amount');
  for (const key of ['1', '0', '0']) await tap(browser, `tip-key-${key}`);
  assert.equal(await text(browser, 'tip-custom-value'), '£1.00');
  await waitForText(browser, 'tip-custom-preview', 'Adds £1.00');
  await assertAccessible(browser, 'the tip prompt’s own amount');
  await tap(browser, 'tip-custom-add');
  await browser.waitUntil(async () => (await status.getAttribute('data-status')) === 'pending', { timeout: 10_000 });
  assert.match(await status.getText(), /^Pay by bank £7\.50: Waiting/);
  await tap(browser, 'attempt-check');
  await waitForText(browser, 'paid-by-provider', '£7.50');
  await assertAccessible(browser, 'the order paid by pay by bank');
  await tap(browser, 'new-order');

  // The database agrees: the cancelled attempt, then £6.50 by pay by bank with the £1.00 tip, completed.
  const soup = fynlo(till.db, ['order', '3']);
  assert.match(soup, /takeaway · completed/);
  assert.match(soup, /pay_by_bank £6\.50 cancelled/);
  assert.match(soup, /pay_by_bank £6\.50 succeeded, tip £1\.00/);
  assert.match(soup, /Balance\s+£0\.00/);
  const soupId = outboxEvents(till.db).find((op) => op.op_type === 'order.opened' && op.payload.event.number === 3)
    ?.payload.order_id;
  const soupOps = outboxEvents(till.db).filter((op) => op.payload.order_id === soupId);
  const attempts = soupOps.filter((op) => op.op_type === 'order.payment_started').map((op) => op.payload.event.payment);
  assert.deepEqual(
    attempts.map((p) => [p.tender, p.amount, p.tip ?? 0]),
    [
      ['pay_by_bank', 650, 0],
      ['pay_by_bank', 650, 100],
    ],
  );
  // Each attempt's last word from the provider: the first cancelled, the second approved.
  const lastStatus = (id) =>
    soupOps
      .filter((op) => op.op_type === 'order.payment_updated' && op.payload.event.payment === id)
      .map((op) => op.payload.event.status)
      .at(-1);
  assert.deepEqual(
    attempts.map((p) => lastStatus(p.id)),
    ['cancelled', 'succeeded'],
  );
  assert.equal(soupOps.at(-1).op_type, 'order.completed');

  // Chips, a £5 note, and the guest says keep the change: the cashier confirms it as a tip.
  await takeaway();
  await tap(browser, 'category-sides');
  await add('chips');
  await tap(browser, 'pay');
  await tap(browser, 'quick-cash-500');
  await waitForText(browser, 'change-preview', '£1.00');
  await tap(browser, 'keep-change');
  assert.equal(await text(browser, 'keep-change-amount'), '£1.00');
  await assertAccessible(browser, 'the keep-the-change dialog');
  await tap(browser, 'dialog-confirm');
  await waitForText(browser, 'change-due', '£0.00');
  assert.equal(await text(browser, 'done-detail'), 'Cash £5.00 on £4.00, £1.00 kept as a tip');
  const kept = outboxEvents(till.db)
    .filter((op) => op.op_type === 'order.payment_recorded')
    .map((op) => op.payload.event.payment)
    .at(-1);
  assert.deepEqual([kept.tendered, kept.amount, kept.tip ?? 0, kept.change ?? 0], [500, 400, 100, 0]);
  await tap(browser, 'new-order');
});
