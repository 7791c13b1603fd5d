// PIN lockout on the real window. Five wrong PINs in a row lock PIN entry for a minute (the core says
// how long, `retry_after`): the login screen says "Too many wrong PINs — try again in 0:59", counts down,
// keeps the keypad and Log in disabled, and opens again at zero. On the manager approval overlay the
// same lockout keeps the command waiting (the void is neither done nor dropped) until Cancel drops it.
// PINs typed without a name are counted for the till as a whole, on either screen, and a right PIN does not
// clear that count (anyone's own PIN would reset a guesser's): after the first lockout, Sam's own login
// leaves it, and the next wrong PIN on the overlay locks PIN entry again, for two minutes. The login screen
// shows a lockout as soon as it appears — after a logout, and after the window reloads — from what the
// core says with the session (`pin_locked_for`), without waiting for a PIN to be refused.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTill,
  byTestId,
  tap,
  screenshot,
  outbox,
  outboxEvents,
  screenshottingTest,
  typePin,
  text,
  waitForText,
} from './harness.mjs';
import { assertAccessible } from './a11y.mjs';

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

/** Seconds left on the countdown shown under `testid` ("0:53" → 53). */
async function secondsLeft(testid) {
  const [minutes, seconds] = (await text(browser, `${testid}-left`)).split(':').map(Number);
  return minutes * 60 + seconds;
}

const pinFailures = () => outbox(till.db).filter((op) => op.op_type === 'auth.pin_failed');

test('five wrong PINs lock the login screen, which counts down and opens again at zero', async () => {
  for (let i = 1; i <= 4; i++) {
    await typePin(browser, '0000');
    await browser.waitUntil(async () => pinFailures().length === i, { timeout: 10_000 });
    await byTestId(browser, 'error').waitForDisplayed({ timeout: 10_000 });
  }
  assert.equal(await byTestId(browser, 'pin-lockout').isExisting(), false, 'four wrong PINs do not lock');
  await typePin(browser, '0000');
  await byTestId(browser, 'pin-lockout').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'pin-lockout'), /^Too many wrong PINs — try again in [01]:\d\d$/);
  const first = await secondsLeft('pin-lockout');
  assert.ok(first > 50 && first <= 60, `the countdown starts from the core's minute (${first})`);
  assert.equal(await byTestId(browser, 'error').isExisting(), false, 'the countdown is the message');
  for (const key of ['pin-key-1', 'pin-key-clear', 'pin-key-back', 'pin-enter']) {
    assert.equal(await byTestId(browser, key).isEnabled(), false, `${key} is disabled while locked`);
  }
  // Typed digits are ignored too.
  await browser.keys(['1', '3', '5', '7', 'Enter']);
  await screenshot(browser, 'login-locked');
  await assertAccessible(browser, 'the PIN screen, locked');
  await browser.pause(2_100);
  const later = await secondsLeft('pin-lockout');
  assert.ok(later <= first - 2, `the countdown is live (${first} → ${later})`);
  assert.equal(pinFailures().length, 5, 'nothing typed while locked was sent');

  // At zero PIN entry opens again, and the right PIN logs in.
  await byTestId(browser, 'pin-lockout').waitForExist({ reverse: true, timeout: 75_000 });
  assert.equal(await byTestId(browser, 'pin-key-1').isEnabled(), true, 'the keypad is back');
  await typePin(browser, '1357');
  await waitForText(browser, 'staff-name', 'Sam Taylor');
});

test('locked on the manager overlay, the command waits; Cancel drops it', async () => {
  await tap(browser, 'category-starters');
  await tap(browser, 'product-soup');
  await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
  await tap(browser, 'send');
  await browser.waitUntil(async () => !(await byTestId(browser, 'send').isEnabled()), { timeout: 10_000 });
  await tap(browser, 'line-1-minus');
  await byTestId(browser, 'reason-input').setValue('Spilt');
  await tap(browser, 'dialog-confirm');
  await byTestId(browser, 'approval-overlay').waitForDisplayed({ timeout: 10_000 });

  const before = pinFailures().length;
  for (const digit of '1111') await tap(browser, `approval-key-${digit}`);
  await tap(browser, 'approval-enter');
  await browser.waitUntil(async () => pinFailures().length === before + 1, { timeout: 10_000 });
  await byTestId(browser, 'approval-lockout').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'approval-lockout'), /^Too many wrong PINs — try again in [012]:\d\d$/);
  assert.equal(await byTestId(browser, 'approval-key-2').isEnabled(), false, 'PIN entry is disabled');
  assert.equal(await byTestId(browser, 'approval-cancel').isEnabled(), true, 'Cancel still works');
  assert.equal(await text(browser, 'approval-what'), 'void Soup of the day', 'the void is still waiting');
  assert.equal(await byTestId(browser, 'reason-dialog').isDisplayed(), true);
  await screenshot(browser, 'approval-locked');
  await assertAccessible(browser, 'the manager approval overlay, locked');
  const first = await secondsLeft('approval-lockout');
  await browser.pause(1_100);
  assert.ok((await secondsLeft('approval-lockout')) < first, 'the countdown is live');

  // Cancel drops the void: nothing changed, no message, the reason dialog as it was.
  await tap(browser, 'approval-cancel');
  await byTestId(browser, 'approval-overlay').waitForExist({ reverse: true, timeout: 10_000 });
  assert.equal(await byTestId(browser, 'reason-dialog').isDisplayed(), true);
  assert.equal(await byTestId(browser, 'error').isExisting(), false);
  await tap(browser, 'dialog-cancel');
  assert.doesNotMatch(await text(browser, 'line-1'), /VOID/);
  assert.equal(
    outboxEvents(till.db).filter((op) => op.op_type === 'order.line_voided').length,
    0,
    'nothing was voided',
  );
  // Every wrong PIN was recorded for the screen it was typed on, never the PIN.
  assert.deepEqual(
    pinFailures().map((op) => op.payload.screen),
    [...Array(5).fill('login'), 'approval'],
  );
});

test('the login screen counts down at once after a logout and after a restart, with no PIN typed', async () => {
  // PIN entry is still locked by the wrong PINs typed on the overlay (counted for the whole till).
  await tap(browser, 'lock');
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 10_000 });
  // `logout` answers with the lockout (`pin_locked_for`): the countdown is there before any PIN.
  await byTestId(browser, 'pin-lockout').waitForDisplayed({ timeout: 5_000 });
  assert.match(await text(browser, 'pin-lockout'), /^Too many wrong PINs — try again in [012]:\d\d$/);
  const afterLogout = await secondsLeft('pin-lockout');
  assert.ok(afterLogout > 0 && afterLogout <= 120, `the countdown goes on from the core's (${afterLogout})`);
  assert.equal(await byTestId(browser, 'pin-key-1').isEnabled(), false, 'the keypad is disabled');
  assert.equal(await byTestId(browser, 'pin-enter').isEnabled(), false, 'Log in is disabled');
  assert.equal(await byTestId(browser, 'error').isExisting(), false, 'the countdown is the message');
  await screenshot(browser, 'login-locked-after-logout');
  await assertAccessible(browser, 'the PIN screen, locked after a logout');

  // A reload starts the UI afresh: `whoami` at start says how long is left.
  const failures = pinFailures().length;
  await browser.refresh();
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
  await byTestId(browser, 'pin-lockout').waitForDisplayed({ timeout: 5_000 });
  const afterRestart = await secondsLeft('pin-lockout');
  assert.ok(afterRestart > 0 && afterRestart <= afterLogout, `still counting down (${afterRestart})`);
  assert.equal(await byTestId(browser, 'pin-key-1').isEnabled(), false, 'the keypad is disabled');
  assert.equal(pinFailures().length, failures, 'no PIN was sent to learn of the lockout');
});
