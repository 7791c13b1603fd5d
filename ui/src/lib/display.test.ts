import { describe, expect, it } from 'vitest';
import { formatZoom, layoutFor, parseZoom, stepZoom, zoomKey } from './display';

describe('zoom', () => {
  it('steps between 100 % and 200 %', () => {
    expect(stepZoom(1, 1)).toBe(1.1);
    expect(stepZoom(1.75, 1)).toBe(2);
    expect(stepZoom(2, 1)).toBe(2);
    expect(stepZoom(2, -1)).toBe(1.75);
    expect(stepZoom(1.1, -1)).toBe(1);
    expect(stepZoom(1, -1)).toBe(1);
    // From a value between steps, to the nearest step that way.
    expect(stepZoom(1.3, 1)).toBe(1.5);
    expect(stepZoom(1.3, -1)).toBe(1.25);
  });

  it('reads a remembered zoom, and 100 % for anything else', () => {
    expect(parseZoom('1.5')).toBe(1.5);
    expect(parseZoom('2')).toBe(2);
    expect(parseZoom(null)).toBe(1);
    expect(parseZoom('3')).toBe(1);
    expect(parseZoom('big')).toBe(1);
  });

  it('reads as a percentage', () => {
    expect(formatZoom(1)).toBe('100%');
    expect(formatZoom(1.1)).toBe('110%');
    expect(formatZoom(1.25)).toBe('125%');
  });

  it('follows Ctrl + / Ctrl − / Ctrl 0 and nothing else', () => {
    const key = (k: string, mods: Partial<KeyboardEvent> = { ctrlKey: true }) =>
      zoomKey({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(key('+')).toBe('in');
    expect(key('=')).toBe('in');
    expect(key('-')).toBe('out');
    expect(key('0')).toBe('reset');
    expect(key('+', { metaKey: true })).toBe('in');
    expect(key('+', {})).toBeNull();
    expect(key('0', {})).toBeNull();
    expect(key('+', { ctrlKey: true, altKey: true })).toBeNull();
    expect(key('5')).toBeNull();
  });
});

describe('layoutFor', () => {
  it('keeps two columns on a till screen and an iPad at 100 %', () => {
    expect(layoutFor(1280, 16)).toBe('wide');
    expect(layoutFor(1024, 16)).toBe('wide');
    expect(layoutFor(768, 16)).toBe('wide');
  });

  it('stacks at 200 % text, and in a window as narrow as that', () => {
    expect(layoutFor(1280, 32)).toBe('narrow');
    expect(layoutFor(1024, 32)).toBe('narrow');
    expect(layoutFor(640, 16)).toBe('narrow');
  });

  it('stays wide when it cannot tell', () => {
    expect(layoutFor(0, 16)).toBe('wide');
    expect(layoutFor(1280, Number.NaN)).toBe('wide');
  });
});
