// Accessibility checked on the live window: axe-core's WCAG 2.2 AA rules on every screen and dialog the
// tests visit (`assertAccessible`); basics of our own (every button has an accessible name, the focused
// control shows a visible focus indicator, text on buttons meets WCAG AA contrast); and the till at 200 %
// text (`zoomTo`, `layoutProblems`: no sideways scrolling, nothing squeezed to nothing or covered), also at
// other window sizes (`resizeWindow`, which checks the window really got the size).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

/** Problems found on the current screen, as strings (empty when all is well). */
export async function accessibilityProblems(browser) {
  return browser.execute(() => {
    const problems = [];
    const parse = (colour) => {
      const m = colour.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = '1'] = m[1].split(',').map((p) => p.trim());
      return { r: +r, g: +g, b: +b, a: +a };
    };
    const luminance = ({ r, g, b }) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el) => {
      for (let node = el; node; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg && bg.a > 0.5) return bg;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    for (const button of document.querySelectorAll('button, [role="button"]')) {
      const style = getComputedStyle(button);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const labelledBy = button.getAttribute('aria-labelledby');
      const name =
        button.getAttribute('aria-label') ||
        (labelledBy && document.getElementById(labelledBy)?.textContent) ||
        button.textContent ||
        button.getAttribute('title') ||
        '';
      const id = button.dataset.testid || button.textContent?.trim().slice(0, 30) || button.outerHTML.slice(0, 60);
      if (!name.trim()) problems.push(`button without an accessible name: ${id}`);
      if (button.textContent?.trim() && !button.disabled) {
        const fg = parse(style.color);
        if (fg) {
          const l1 = luminance(fg);
          const l2 = luminance(background(button));
          const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
          if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}:1 on button ${id}`);
        }
      }
    }
    return problems;
  });
}

/** Moves focus with the keyboard and reports whether the focused control shows a focus indicator. */
export async function focusIsVisible(browser) {
  await browser.keys(['Tab']);
  return browser.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: false, what: 'nothing took focus' };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return { ok: Boolean(outline || shadow), what: el.outerHTML.slice(0, 80) };
  });
}

// --- axe-core: the WCAG 2.2 AA gate ------------------------------------------------------------------


/** The rules axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Rules of those levels that axe leaves off by default, switched on: `label-content-name-mismatch`
 * (WCAG 2.5.3, a control's name contains its visible text — the "00" key, tip and part buttons) is
 * "experimental" in axe, but it is a level A criterion the till must meet.
 */
const EXTRA_RULES = { 'label-content-name-mismatch': { enabled: true } };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core finds wrong on the window as it is now, against `WCAG_TAGS`: one entry per rule broken,
 * with every element that breaks it. axe is injected into the page the first time (WebDriver's execute
 * script, so the app's content security policy does not apply to it).
 */
export async function axeViolations(browser) {
  const loaded = await browser.execute(() => typeof window.axe?.run === 'function');
  // axe.min.js sets `window.axe` itself.
  if (!loaded) await browser.execute(`${axeSource}\nreturn typeof window.axe;`);
  await browser.setTimeout({ script: 60_000 });
  const outcome = await browser.executeAsync((tags, rules, done) => {
    window.axe
      .run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] })
      .then(
        (results) =>
          done({
            violations: results.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
            })),
          }),
        (error) => done({ error: String(error) }),
      );
  }, WCAG_TAGS, EXTRA_RULES);
  if (outcome.error) throw new Error(`axe-core could not run: ${outcome.error}`);
  return outcome.violations;
}

/** The violations as lines a person can act on: rule, impact, what it asks, and each element with why. */
export function formatViolations(violations) {
  return violations
    .flatMap((v) => [
      `${v.id} (${v.impact}): ${v.help}`,
      ...v.nodes.map((n) => `    ${n.target}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`),
    ])
    .join('\n');
}

/** Fails the test when axe finds any WCAG 2.2 AA violation on the screen named `where`. */
export async function assertAccessible(browser, where) {
  const violations = await axeViolations(browser);
  assert.equal(violations.length, 0, `WCAG 2.2 AA violations on ${where}:\n${formatViolations(violations)}`);
}

// --- Zoom: the till at 200 % text -------------------------------------------------------------------

/** The zoom the top bar shows, e.g. "200%". */
async function zoomLevel(browser) {
  return browser.execute(() => document.querySelector('[data-testid="zoom-level"]')?.textContent ?? '');
}

/** Sets the till's zoom with its keys, as a person would: Ctrl 0, then Ctrl + until it reads `percent`. */
export async function zoomTo(browser, percent) {
  await browser.keys(['Control', '0']);
  for (let i = 0; i < 10 && !(await zoomLevel(browser)).includes(`${percent}%`); i++) {
    await browser.keys(['Control', '=']);
  }
  const level = await zoomLevel(browser);
  if (!level.includes(`${percent}%`)) throw new Error(`the zoom reads ${level}, not ${percent}%`);
  // Let the layout settle at the new size.
  await browser.pause(200);
}

/**
 * How the page holds up at the zoom it is at: whether it scrolls sideways, the size of each element
 * matched by `sized` (selector → at least [width, height] in CSS px), and whether each element in
 * `visible` (test ids) is on screen and not covered at its centre.
 */
export async function layoutProblems(browser, { sized = {}, visible = [] } = {}) {
  return browser.execute(
    (sizedArg, visibleArg) => {
      const problems = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth) {
        problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} px`);
      }
      for (const [selector, [minWidth, minHeight]] of Object.entries(sizedArg)) {
        const elements = [...document.querySelectorAll(selector)];
        if (elements.length === 0) problems.push(`nothing matches ${selector}`);
        for (const el of elements) {
          const box = el.getBoundingClientRect();
          if (box.width < minWidth || box.height < minHeight) {
            problems.push(`${selector} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
          }
        }
      }
      for (const id of visibleArg) {
        const el = document.querySelector(`[data-testid="${id}"]`);
        if (!el) {
          problems.push(`${id} is not there`);
          continue;
        }
        el.scrollIntoView({ block: 'nearest' });
        const box = el.getBoundingClientRect();
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        const top = document.elementFromPoint(x, y);
        if (!top || !(top === el || el.contains(top))) {
          problems.push(`${id} is covered at its centre by ${top ? top.outerHTML.slice(0, 80) : 'nothing'}`);
        }
      }
      return problems;
    },
    sized,
    visible,
  );
}

// --- Window sizes: the till on an iPad's screen -----------------------------------------------------

/**
 * Resizes the window to `width` × `height` (WebDriver's Set Window Rect) and checks it really got that
 * size: the window's rect as WebDriver reports it, and the page's viewport (`innerWidth`/`innerHeight`,
 * which a window manager's decorations would make smaller). Throws, saying what it got, when either is
 * not the size asked for, so a size the display cannot give fails loudly rather than passing unchecked.
 */
export async function resizeWindow(browser, width, height) {
  await browser.setWindowRect(0, 0, width, height);
  let got;
  await browser
    .waitUntil(
      async () => {
        const rect = await browser.getWindowRect();
        const viewport = await browser.execute(() => [window.innerWidth, window.innerHeight]);
        got = { rect: [rect.width, rect.height], viewport };
        const [innerWidth, innerHeight] = viewport;
        return rect.width === width && rect.height === height && innerWidth === width && innerHeight === height;
      },
      { timeout: 5_000, interval: 100 },
    )
    .catch(() => {
      const rect = got?.rect.join('×');
      const viewport = got?.viewport.join('×');
      throw new Error(`the window is not ${width}×${height}: its rect is ${rect}, its viewport ${viewport}`);
    });
  // Let the layout follow the new size (the till picks its layout on resize).
  await browser.pause(200);
  return got;
}
