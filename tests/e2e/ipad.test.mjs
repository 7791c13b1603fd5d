// The till at an iPad's screen sizes, on the real window: 1024×768 (landscape) and 768×1024 (portrait),
// each at 100 % and 200 % text. The window is resized over WebDriver (Set Window Rect) and checked to
// really be that size — WebDriver's window rect and the page's viewport both — before anything is
// measured. On the order screen and the payment screen, at every size and zoom: axe-core's WCAG 2.2 AA
// rules find nothing, the page never scrolls sideways (the document's scrollWidth ≤ its clientWidth),
// the ticket's lines, product tiles and keypad keys keep a real size, and the balance due is on screen
// and not covered.
//
// The window's minimum size in tauri.conf.json (768×700) lets it go down to the iPad's portrait width.
// Under Xvfb there is no window manager, so the window has no decorations and its viewport is the whole
// window; the test display (1280×1024) has room for both sizes.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTill, byTestId, tap, screenshot, screenshottingTest, typePin } from './harness.mjs';
import { assertAccessible, layoutProblems, resizeWindow, zoomTo } from './a11y.mjs';

let till;
let browser;

before(async () => {
  till = await startTill();
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await typePin(browser, '1357');
  await byTestId(browser, 'staff-name').waitForDisplayed({ timeout: 10_000 });

  // A dine-in order with a few lines, so the ticket, the totals (service charge included) and the
  // payment screen all have something to lay out.
  await tap(browser, 'start-order');
  await tap(browser, 'order-type-dine-in');
  await tap(browser, 'table-key-4');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'order-type-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  for (const [category, product] of [
    ['starters', 'soup'],
    ['mains', 'fish-chips'],
    ['sides', 'chips'],
  ]) {
    const count = (await browser.$$('[data-testid^="line-"][data-quantity]')).length;
    await tap(browser, `category-${category}`);
    await tap(browser, `product-${product}`);
    await byTestId(browser, `line-${count + 1}`).waitForDisplayed({ timeout: 10_000 });
  }
});

after(async () => {
  await till?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

/** The layout the till chose (`<html data-layout>`): two columns (wide) or one (narrow). */
const layout = () => browser.execute(() => document.documentElement.dataset.layout);

/** The order screen at the size and zoom it is at. */
async function checkOrderScreen(where) {
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, {
      sized: { '[data-testid^="line-"][data-quantity]': [160, 40], '[data-testid^="product-"]': [120, 80] },
      visible: ['line-1', 'balance', 'pay'],
    }),
    [],
    `the order screen at ${where}`,
  );
  await browser.execute(() => window.scrollTo(0, 0));
  await screenshot(browser, `ipad-order-${where.replace(/[^0-9a-z]+/gi, '-')}`);
  await assertAccessible(browser, `the order screen at ${where}`);
}

/** The payment screen at the size and zoom it is at. */
async function checkPaymentScreen(where) {
  await browser.execute(() => window.scrollTo(0, 0));
  assert.deepEqual(
    await layoutProblems(browser, {
      sized: { '[data-testid^="cash-key-"]': [48, 48] },
      visible: ['balance', 'paying', 'tender-amount', 'tender'],
    }),
    [],
    `the payment screen at ${where}`,
  );
  await browser.execute(() => window.scrollTo(0, 0));
  await screenshot(browser, `ipad-payment-${where.replace(/[^0-9a-z]+/gi, '-')}`);
  await assertAccessible(browser, `the payment screen at ${where}`);
}

/** What the till lays out at each size and zoom: 46 rem or more wide keeps two columns. */
const SIZES = [
  { width: 1024, height: 768, layouts: { 100: 'wide', 200: 'narrow' } },
  { width: 768, height: 1024, layouts: { 100: 'wide', 200: 'narrow' } },
];

for (const { width, height, layouts } of SIZES) {
  test(`${width}×${height}: the order and payment screens at 100 % and 200 %`, async () => {
    await resizeWindow(browser, width, height);
    for (const zoom of [100, 200]) {
      const where = `${width}×${height}, ${zoom} %`;
      await zoomTo(browser, zoom);
      assert.equal(await layout(), layouts[zoom], `the layout at ${where}`);
      await byTestId(browser, 'pay').waitForDisplayed({ timeout: 10_000 });
      await checkOrderScreen(where);

      await tap(browser, 'pay');
      await byTestId(browser, 'tender-amount').waitForDisplayed({ timeout: 10_000 });
      await checkPaymentScreen(where);
      await tap(browser, 'pay-back');
    }
    await zoomTo(browser, 100);
    // Nothing resized the window meanwhile.
    const rect = await browser.getWindowRect();
    assert.deepEqual([rect.width, rect.height], [width, height], 'the window kept its size');
  });
}
