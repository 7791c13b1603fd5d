// Staff and time on the real window. On the PIN screen, Jo (8080) types her PIN and taps Clock in instead
// of Log in: the screen says she clocked in, and she is not logged in. A wrong PIN there is refused like
// any other. Priya (manager, 2468) logs in, opens Shifts → Staff & time: Jo is on shift; Priya adds Alex
// as a cashier with PIN 4321 (a PIN Sam already has is refused first), makes Alex a supervisor, and sees
// the timesheet. Then Tips shows the pay period's allocation and the written policy. Alex logs in with
// the new PIN. axe-core's WCAG 2.2 AA rules run on each new screen and dialog.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTill, byTestId, tap, screenshot, screenshottingTest, typePin, text, waitForText } from './harness.mjs';
import { assertAccessible } from './a11y.mjs';

const SHOTS = '/tmp/e2e-shots';

let till;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  till = await startTill();
  browser = till.browser;
  await byTestId(browser, 'pin-enter').waitForDisplayed({ timeout: 20_000 });
});

after(async () => {
  await till?.stop();
});

const test = screenshottingTest(nodeTest, () => browser);

async function shot(name) {
  await screenshot(browser, name);
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

async function keypad(pin) {
  for (const digit of pin) await tap(browser, `pin-key-${digit}`);
}

test('a member of staff clocks in on the PIN screen without logging in', async () => {
  await keypad('8080');
  await tap(browser, 'clock-in');
  await byTestId(browser, 'punched').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'punched'), /^Jo Evans clocked in at \d\d:\d\d$/);
  assert.equal(await byTestId(browser, 'staff-name').isExisting(), false, 'nobody is logged in');
  // Twice is refused: she is on shift already.
  await keypad('8080');
  await tap(browser, 'clock-in');
  await byTestId(browser, 'error').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'error'), /clocked in or on a break/);
  await assertAccessible(browser, 'the PIN screen with the time clock');
  await shot('time-clock-1280');
});

test('a manager adds a member of staff, promotes them and sees who is on shift', async () => {
  await typePin(browser, '2468');
  await waitForText(browser, 'staff-name', 'Priya Shah');
  await tap(browser, 'nav-shifts');
  await tap(browser, 'shifts-tab-staff');
  await byTestId(browser, 'staff-list').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'staff-jo'), /On shift since/);
  assert.match(await text(browser, 'staff-sam'), /Off shift/);

  await tap(browser, 'staff-add');
  await byTestId(browser, 'staff-dialog').waitForDisplayed({ timeout: 10_000 });
  await byTestId(browser, 'staff-id').setValue('alex');
  await byTestId(browser, 'staff-name-input').setValue('Alex Kim');
  await byTestId(browser, 'new-pin').setValue('1357');
  await assertAccessible(browser, 'the add staff dialog');
  await tap(browser, 'staff-save');
  // Sam's PIN: refused, and the dialog stays with what was typed.
  await byTestId(browser, 'error').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'error'), /already taken/);
  await byTestId(browser, 'new-pin').setValue('4321');
  await tap(browser, 'staff-save');
  await byTestId(browser, 'staff-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  assert.match(await text(browser, 'staff-alex'), /Alex Kim\s*Cashier/);

  await tap(browser, 'staff-alex-edit');
  await byTestId(browser, 'staff-dialog').waitForDisplayed({ timeout: 10_000 });
  await byTestId(browser, 'staff-role').selectByAttribute('value', 'supervisor');
  await tap(browser, 'staff-save');
  await byTestId(browser, 'staff-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  assert.match(await text(browser, 'staff-alex'), /Supervisor/);

  await tap(browser, 'timesheet-load');
  await byTestId(browser, 'timesheet').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'timesheet'), /Jo Evans\s*1 \(on shift\)/);
  // Priya corrects Jo's shift: clocked out when she clocked in, with a reason.
  const shift = await browser.$('[data-testid^="shift-"][data-testid$="-adjust"]');
  await shift.waitForClickable({ timeout: 10_000 });
  await shift.click();
  await byTestId(browser, 'staff-dialog').waitForDisplayed({ timeout: 10_000 });
  const clockedIn = await byTestId(browser, 'adjust-in').getValue();
  assert.match(clockedIn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  await browser.execute(
    (value) => {
      const input = document.querySelector('[data-testid="adjust-out"]');
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    clockedIn,
  );
  await byTestId(browser, 'adjust-reason').setValue('forgot to clock out');
  await assertAccessible(browser, 'the shift correction dialog');
  await tap(browser, 'staff-save');
  await byTestId(browser, 'staff-dialog').waitForExist({ reverse: true, timeout: 10_000 });
  await browser.waitUntil(async () => !/on shift/.test(await text(browser, 'shifts')), {
    timeout: 10_000,
    timeoutMsg: 'the corrected shift shows its clock-out',
  });
  await assertAccessible(browser, 'staff and time');
  await shot('staff-1280');

  await tap(browser, 'shifts-tab-tips');
  await tap(browser, 'tips-load');
  await byTestId(browser, 'tips-period').waitForDisplayed({ timeout: 10_000 });
  assert.match(await text(browser, 'tips-period'), /shared to the staff who served each order/);
  assert.match(await text(browser, 'tips-policy'), /Every penny of tips and service charge goes to the staff/);
  await assertAccessible(browser, 'the tips');
  await shot('tips-1280');

  await tap(browser, 'lock');
  await typePin(browser, '4321');
  await waitForText(browser, 'staff-name', 'Alex Kim');
});
