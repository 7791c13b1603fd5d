// Benchmark (not a test): cold start of the till app to an interactive PIN screen, and the resident memory
// of the app and its WebView processes after 100 orders, beside the same UI (ui/dist, served by Vite with
// the dev bridge to `fynlo exec`) in Debian's headless Chromium measured in the same run.
// Run by `./dev bench` under Xvfb; prints a Markdown table for docs/benchmarks.md.

import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startTill, byTestId, tap, cliBinary, root, screenshot } from './harness.mjs';

const ORDERS = Number(process.env.FYNLO_BENCH_ORDERS ?? 100);

/** Resident memory (kB) of a process: its proportional share of pages (Pss), so shared libraries count once. */
function pssKb(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(rollup.match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every live process whose command line matches, with its parent. */
function processes() {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return { pid: Number(pid), ppid, cmd };
      } catch {
        return null;
      }
    })
    .filter(Boolean);
}

/** A process and all its descendants. */
function tree(rootPid) {
  const all = processes();
  const found = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!found.has(p.pid) && found.has(p.ppid)) (found.add(p.pid), (grew = true));
  }
  return all.filter((p) => found.has(p.pid));
}

async function sellOrders(browser, n) {
  for (let i = 0; i < n; i++) {
    await tap(browser, 'category-sides');
    await tap(browser, 'product-chips');
    await byTestId(browser, 'line-1').waitForDisplayed({ timeout: 10_000 });
    await tap(browser, 'pay');
    await tap(browser, 'exact');
    await tap(browser, 'tender');
    await byTestId(browser, 'change-due').waitForDisplayed({ timeout: 10_000 });
    await tap(browser, 'new-order');
  }
}

async function login(browser) {
  for (const digit of '1357') await tap(browser, `pin-key-${digit}`);
  await tap(browser, 'pin-enter');
  await byTestId(browser, 'staff-name').waitForDisplayed({ timeout: 10_000 });
}

async function tauriApp() {
  const started = performance.now();
  const till = await startTill();
  await byTestId(till.browser, 'pin-key-1').waitForClickable({ timeout: 30_000 });
  const coldStartMs = performance.now() - started;
  await login(till.browser);
  try {
    await sellOrders(till.browser, ORDERS);
  } catch (error) {
    await screenshot(till.browser, 'bench-failed');
    throw error;
  }
  await sleep(1000);
  const app = processes().find((p) => p.cmd.includes('target/debug/fynlo-pos') || p.cmd.includes('/fynlo-pos'));
  const members = app ? tree(app.pid) : [];
  const kb = members.reduce((sum, p) => sum + pssKb(p.pid), 0);
  await till.stop();
  return { coldStartMs, kb, members: members.map((p) => p.cmd.split(' ')[0].split('/').pop()) };
}

async function chromium() {
  const dir = mkdtempSync(join(tmpdir(), 'fynlo-bench-'));
  const db = join(dir, 'till.db');
  execFileSync(cliBinary, ['--db', db, 'init', '--demo']);
  const vite = spawn('npx', ['vite', 'preview', '--port', '4173', '--strictPort'], {
    cwd: join(root, 'ui'),
    env: { ...process.env, FYNLO_BRIDGE_DB: db, FYNLO_BIN: cliBinary },
    stdio: 'ignore',
    detached: true,
  });
  const driver = spawn('chromedriver', ['--port=4470'], { stdio: 'ignore' });
  await sleep(1500);
  const profile = mkdtempSync(join(tmpdir(), 'fynlo-chromium-'));
  const browser = await remote({
    hostname: '127.0.0.1',
    port: 4470,
    logLevel: 'error',
    capabilities: {
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
          '--window-size=1280,800',
        ],
      },
    },
  });
  try {
    const started = performance.now();
    await browser.url('http://127.0.0.1:4173/');
    await byTestId(browser, 'pin-key-1').waitForClickable({ timeout: 30_000 });
    const startMs = performance.now() - started;
    await login(browser);
    await sellOrders(browser, ORDERS);
    await sleep(1000);
    const members = processes().filter((p) => p.cmd.startsWith('/usr/lib/chromium/chromium') && p.cmd.includes(profile));
    const kb = members.reduce((sum, p) => sum + pssKb(p.pid), 0);
    return { startMs, kb, count: members.length };
  } finally {
    await browser.deleteSession().catch(() => {});
    driver.kill('SIGTERM');
    try {
      process.kill(-vite.pid, 'SIGTERM');
    } catch {
      vite.kill('SIGTERM');
    }
  }
}

const app = await tauriApp();
const web = await chromium();
const mb = (kb) => (kb / 1024).toFixed(1);
console.log(`| What | Fynlo POS app (Tauri, WebKitGTK) | Same UI in headless Chromium |`);
console.log(`|---|---|---|`);
console.log(`| Start to an interactive PIN screen | ${app.coldStartMs.toFixed(0)} ms (new process, WebDriver session included) | ${web.startMs.toFixed(0)} ms (page load in a running browser) |`);
console.log(`| Memory after ${ORDERS} orders (PSS, all processes) | ${mb(app.kb)} MiB (${app.members.join(', ')}) | ${mb(web.kb)} MiB (${web.count} processes) |`);
