import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHex, textColourOn, type Rgb } from './contrast';

const hex = (h: string): Rgb => {
  const rgb = parseHex(h);
  if (!rgb) throw new Error(`bad colour ${h}`);
  return rgb;
};

describe('contrast', () => {
  it('parses colours', () => {
    expect(parseHex('#ffffff')).toEqual([255, 255, 255]);
    expect(parseHex('#1F618D')).toEqual([31, 97, 141]);
    expect(parseHex('#abc')).toEqual([170, 187, 204]);
    expect(parseHex('red')).toBeNull();
    expect(parseHex('#12345')).toBeNull();
  });

  it('computes WCAG ratios', () => {
    expect(contrastRatio(hex('#000000'), hex('#ffffff'))).toBeCloseTo(21, 5);
    expect(contrastRatio(hex('#777777'), hex('#777777'))).toBeCloseTo(1, 5);
  });

  it('picks white on dark and black on light', () => {
    expect(textColourOn('#1f618d')).toBe('#ffffff');
    expect(textColourOn('#f9e79f')).toBe('#000000');
    expect(textColourOn('not a colour')).toBe('#000000');
  });

  it('reaches 4.5:1 on every colour of a fine sweep of the sRGB cube', () => {
    for (let r = 0; r <= 255; r += 15) {
      for (let g = 0; g <= 255; g += 15) {
        for (let b = 0; b <= 255; b += 15) {
          const bg: Rgb = [r, g, b];
          const text = hex(
            textColourOn(`#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`),
          );
          expect(contrastRatio(bg, text)).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
  });

  it('reaches 4.5:1 on every colour of the demo menu', () => {
    const menu = JSON.parse(
      readFileSync(new URL('../../../crates/app/demo/restaurant.json', import.meta.url), 'utf8'),
    ) as { menu: { categories: { colour: string }[]; products: { colour: string }[] } };
    const colours = [...menu.menu.categories, ...menu.menu.products].map((x) => x.colour);
    expect(colours.length).toBeGreaterThan(40);
    for (const colour of colours) {
      expect(contrastRatio(hex(colour), hex(textColourOn(colour))), colour).toBeGreaterThanOrEqual(4.5);
    }
  });
});
