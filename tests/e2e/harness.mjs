// End-to-end harness: starts tauri-driver (which runs Debian's WebKitWebDriver) and drives the real till
// window of the built app over WebDriver with WebdriverIO. Every test gets a fresh demo database.
//
// Expects: the app built with its UI embedded at target/debug/fynlo-pos (see ./dev test), tauri-driver on
// PATH or in ~/.cargo/bin, a display (./dev test runs this under xvfb-run and dbus-run-session).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import { remote } from 'webdriverio';

export const root = resolve(import.meta.dirname, '../..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target');
export const appBinary = join(targetDir, 'debug', 'fynlo-pos');
export const cliBinary = join(targetDir, 'debug', 'fynlo');
export const cloudBinary = join(targetDir, 'debug', 'fynlo-cloud');
export const screenshotDir = join(targetDir, 'e2e-screenshots');

function tauriDriverPath() {
  const home = process.env.HOME ?? '';
  const candidate = join(home, '.cargo', 'bin', 'tauri-driver');
  return existsSync(candidate) ? candidate : 'tauri-driver';
}

/** A TCP port nobody is listening on now (the OS picks it), so runs side by side never collide. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts a program in a process group of its own, so stopping it kills everything it started, with
 * its diagnostics in `e2e-logs/<logName>` rather than this process's pipes (a process left behind
 * holding the test runner's stderr would keep the run from ever ending). `killGroup(signal)` signals the
 * group; it is killed when this process exits in any case.
 */
function spawnGroup(program, args, env, logName) {
  const logDir = join(targetDir, 'e2e-logs');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, logName), 'a');
  const driver = spawn(program, args, { env, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const killGroup = (signal) => {
    try {
      process.kill(-driver.pid, signal);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', () => killGroup('SIGKILL'));
  return { driver, killGroup };
}

/**
 * A WebDriver session through the driver `group` started (listening on `port`), tried for up to 30 s —
 * a loaded CI machine can be slow — and given up at once if the driver exits. `stop()` ends the session
 * and kills the group (SIGTERM, then SIGKILL after `settleMs`).
 */
async function driverSession(name, port, capabilities, { driver, killGroup }, settleMs) {
  let exited = null;
  driver.on('exit', (code, signal) => (exited = `${name} exited (${code ?? signal})`));
  driver.on('error', (error) => (exited = `${name} could not start: ${error.message}`));
  let browser;
  for (let attempt = 0; attempt < 150 && !browser; attempt++) {
    if (exited) throw new Error(exited);
    try {
      browser = await remote({ hostname: '127.0.0.1', port, logLevel: 'silent', connectionRetryCount: 0, capabilities });
    } catch (error) {
      if (attempt === 149) throw error;
      await sleep(200);
    }
  }
  return {
    browser,
    async stop() {
      try {
        await browser.deleteSession();
      } finally {
        killGroup('SIGTERM');
        await sleep(settleMs);
        killGroup('SIGKILL');
      }
    },
  };
}

/**
 * A running app with a fresh demo database, and a WebDriver session on its window. `extra` is added to
 * the demo restaurant's setup file (`{printers: […]}`, say) before the database is made from it.
 */
export async function startTill(extra = null, env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  mkdirSync(screenshotDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'fynlo-e2e-'));
  const db = join(dir, 'till.db');
  if (extra) {
    const demo = JSON.parse(readFileSync(join(root, 'crates/app/demo/restaurant.json'), 'utf8'));
    const setup = join(dir, 'setup.json');
    writeFileSync(setup, JSON.stringify({ ...demo, ...extra }));
    execFileSync(cliBinary, ['--db', db, 'init', '--setup', setup]);
  } else {
    execFileSync(cliBinary, ['--db', db, 'init', '--demo']);
  }
  // tauri-driver, WebKitWebDriver and the app run in a process group of their own.
  const group = spawnGroup(
    tauriDriverPath(),
    ['--port', String(port), '--native-port', String(nativePort)],
    { ...process.env, FYNLO_DB: db, RUST_LOG: 'warn', ...env },
    `tauri-driver-${port}.log`,
  );
  const capabilities = { 'tauri:options': { application: appBinary }, 'wdio:enforceWebDriverClassic': true };
  return { ...(await driverSession('tauri-driver', port, capabilities, group, 500)), db };
}

/**
 * The cloud server (`fynlo-cloud`) on a SQLite file in a folder of its own, on a free loopback port, in a
 * process group of its own, with `env` over its settings. `stop()` kills it (SIGTERM, then SIGKILL); `start()` starts it again on the
 * same port and database, as a server coming back after an outage.
 */
export async function startCloud(env = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fynlo-e2e-cloud-'));
  const url = `http://127.0.0.1:${port}`;
  const logDir = join(targetDir, 'e2e-logs');
  mkdirSync(logDir, { recursive: true });
  let child = null;
  const cloud = {
    url,
    async start() {
      const log = openSync(join(logDir, `fynlo-cloud-${port}.log`), 'a');
      child = spawn(cloudBinary, [], {
        env: {
          ...process.env,
          FYNLO_CLOUD_LISTEN: `127.0.0.1:${port}`,
          FYNLO_CLOUD_DATABASE_URL: `sqlite://${join(dir, 'cloud.db')}`,
          RUST_LOG: 'warn',
          ...env,
        },
        stdio: ['ignore', log, log],
        detached: true,
      });
      closeSync(log);
      const started = child;
      process.once('exit', () => {
        try {
          process.kill(-started.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      });
      for (let attempt = 0; attempt < 150; attempt++) {
        try {
          const response = await fetch(`${url}/api/v1/openapi.json`);
          if (response.ok) return;
        } catch {
          // Not listening yet.
        }
        await sleep(100);
      }
      throw new Error(`fynlo-cloud did not start on ${url}`);
    },
    async stop() {
      if (!child) return;
      const stopping = child;
      child = null;
      const exited = new Promise((done) => stopping.once('exit', done));
      try {
        process.kill(-stopping.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-stopping.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
    /** POSTs JSON; answers the parsed body, or throws with the status. */
    async post(path, body, token) {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
  };
  await cloud.start();
  return cloud;
}

/**
 * A till paired at start with a new restaurant in `cloud` (its owner signs up, makes a one-time code,
 * and the till pairs with it through FYNLO_CLOUD_URL and FYNLO_PAIRING_CODE, as `./dev tills` does).
 * Answers the till and the owner's session.
 */
export async function startPairedTill(cloud, restaurantName) {
  const owner = await cloud.post('/api/v1/signup', {
    restaurant_name: restaurantName,
    email: `owner-${Date.now()}@e2e.example`,
    password: 'correct horse battery',
  });
  const { code } = await cloud.post('/api/v1/pairing-codes', {}, owner.access_token);
  const till = await startTill(null, {
    FYNLO_CLOUD_URL: cloud.url,
    FYNLO_PAIRING_CODE: code,
    FYNLO_TILL_NAME: 'E2E Counter',
  });
  return { till, owner };
}

/**
 * A customer's phone: Debian's Chromium, headless, driven over WebDriver by Debian's chromedriver (both
 * in a process group of their own, on a free loopback port). `stop()` ends the session and kills them.
 */
export async function startPhone() {
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'fynlo-e2e-phone-'));
  const group = spawnGroup(
    '/usr/bin/chromedriver',
    [`--port=${port}`, '--allowed-ips=127.0.0.1'],
    process.env,
    `chromedriver-${port}.log`,
  );
  const capabilities = {
    browserName: 'chrome',
    'wdio:enforceWebDriverClassic': true,
    'goog:chromeOptions': {
      binary: '/usr/bin/chromium',
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--window-size=390,844',
        `--user-data-dir=${profile}`,
      ],
    },
  };
  return driverSession('chromedriver', port, capabilities, group, 300);
}

/** Waits until the sync badge shows `mode` (and, when given, a count of ops waiting that `waiting` accepts). */
export async function waitForBadge(browser, mode, waiting = null, timeout = 60_000) {
  let last;
  await browser.waitUntil(
    async () => {
      const element = byTestId(browser, 'sync-badge');
      const shown = await element.getAttribute('data-mode').catch(() => null);
      const count = await byTestId(browser, 'sync-waiting')
        .getText()
        .then((t) => Number.parseInt(t.trim() || '0', 10))
        .catch(() => null);
      last = { shown, count };
      return shown === mode && (waiting === null || waiting(count ?? 0));
    },
    { timeout, interval: 250, timeoutMsg: `the badge shows ${mode} (it showed ${JSON.stringify(last)})` },
  );
}

/** The element with this data-testid. */
export function byTestId(browser, id) {
  return browser.$(`[data-testid="${id}"]`);
}

/** Clicks the element with this data-testid once it is shown and enabled. */
export async function tap(browser, id) {
  const element = byTestId(browser, id);
  await element.waitForClickable({ timeout: 10_000 });
  await element.click();
}

/** Saves a screenshot named after a screen. */
export async function screenshot(browser, name) {
  await browser.saveScreenshot(join(screenshotDir, `${name}.png`));
}

/** Runs the fynlo CLI against the till database (read-only views work while the app runs). */
export function fynlo(db, args) {
  return execFileSync(cliBinary, ['--db', db, ...args], { encoding: 'utf8' });
}

/** Taps the PIN keypad's digits, then Log in. */
export async function typePin(browser, pin) {
  for (const digit of pin) await tap(browser, `pin-key-${digit}`);
  await tap(browser, 'pin-enter');
}

/** The trimmed text of the element with this data-testid, once it is shown. */
export async function text(browser, id) {
  const element = byTestId(browser, id);
  await element.waitForDisplayed({ timeout: 10_000 });
  return (await element.getText()).trim();
}

/** Waits until the element with this data-testid shows exactly `expected`. */
export async function waitForText(browser, id, expected) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await byTestId(browser, id)
        .getText()
        .then((t) => t.trim())
        .catch(() => undefined);
      return last === expected;
    },
    { timeout: 10_000, timeoutMsg: `${id} shows ${expected} (it showed ${last})` },
  );
}

/** The till database's outbox, as objects. */
export function outbox(db) {
  return fynlo(db, ['outbox', '--limit', '100000'])
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/**
 * Every order event in the outbox, oldest first, one object each: an `order.saved` op holds the events
 * of one save. Each is `{ seq, op_type: 'order.<event type>', payload: { order_id, version, staff, at,
 * event } }`. An event leaves out its empty fields (no note, a zero tip or change): read them with `?? 0`.
 */
export function outboxEvents(db) {
  return outbox(db)
    .filter((op) => op.op_type === 'order.saved')
    .flatMap((op) =>
      op.payload.events.map((e) => ({
        seq: op.seq,
        op_type: `order.${e.event.type}`,
        payload: { order_id: op.payload.order_id, ...e },
      })),
    );
}

/**
 * Node's `test`, leaving a picture of the window behind when a test fails, named after the test.
 * `getBrowser` is called at failure time, because the session starts in `before`.
 */
export function screenshottingTest(nodeTest, getBrowser) {
  return (name, body) =>
    nodeTest(name, async () => {
      try {
        await body();
      } catch (error) {
        await screenshot(getBrowser(), `failed-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
        throw error;
      }
    });
}
