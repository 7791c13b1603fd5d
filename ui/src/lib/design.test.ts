// Checks the design tokens in app.css: every text colour reaches WCAG AA (4.5:1) on the backgrounds it is
// paired with in the stylesheet and components, so a token change that breaks contrast fails the tests.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHex } from './contrast';

const css = readFileSync(new URL('../app.css', import.meta.url), 'utf8');
const tokens = new Map([...css.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,6})\s*;/gi)].map((m) => [m[1], m[2]]));

/** [text token, background token] pairs used in the UI. */
const PAIRS: [string, string][] = [
  ['colour-text', 'colour-bg'],
  ['colour-text', 'colour-surface'],
  ['colour-text', 'colour-surface-2'],
  ['colour-text-muted', 'colour-surface'],
  ['colour-text-muted', 'colour-surface-2'],
  ['colour-text-muted', 'colour-bg'],
  ['colour-on-primary', 'colour-primary'],
  ['colour-on-primary', 'colour-primary-strong'],
  ['colour-on-primary-soft', 'colour-primary-soft'],
  ['colour-on-success', 'colour-success'],
  ['colour-on-success-soft', 'colour-success-soft'],
  ['colour-on-danger', 'colour-danger'],
  ['colour-on-danger-soft', 'colour-danger-soft'],
  ['colour-danger', 'colour-surface'],
  ['colour-on-warning-soft', 'colour-warning-soft'],
  ['colour-on-neutral', 'colour-neutral'],
  ['colour-on-disabled', 'colour-disabled'],
  ['colour-on-topbar', 'colour-topbar'],
  ['colour-on-topbar-muted', 'colour-topbar'],
  ['colour-primary', 'colour-surface'],
  ['colour-on-customer', 'colour-customer-bg'],
  ['colour-on-customer-muted', 'colour-customer-bg'],
  ['colour-on-customer-button', 'colour-customer-button'],
  ['colour-success', 'colour-success-soft'],
  ['colour-status-ok', 'colour-topbar'],
  ['colour-status-problem', 'colour-topbar'],
  ['colour-status-warning', 'colour-topbar'],
  ['colour-warning', 'colour-surface'],
];

describe('design tokens', () => {
  it.each(PAIRS)('%s on %s reaches 4.5:1', (text, background) => {
    const fg = parseHex(tokens.get(text) ?? '');
    const bg = parseHex(tokens.get(background) ?? '');
    expect(fg, text).not.toBeNull();
    expect(bg, background).not.toBeNull();
    if (fg && bg) expect(contrastRatio(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps touch targets at least 48 px at 100 % (they only grow with the zoom)', () => {
    // Sizes are in rem, of a 16 px root at 100 %.
    expect(Number(/--touch:\s*([\d.]+)rem/.exec(css)?.[1]) * 16).toBeGreaterThanOrEqual(48);
    expect(Number(/--touch-lg:\s*([\d.]+)rem/.exec(css)?.[1]) * 16).toBeGreaterThanOrEqual(48);
  });
});
