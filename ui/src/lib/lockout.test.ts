import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Countdown, formatCountdown, secondsLeft } from './lockout.svelte';

describe('formatCountdown', () => {
  it.each([
    [53, '0:53'],
    [60, '1:00'],
    [125, '2:05'],
    [900, '15:00'],
    [0, '0:00'],
    [-3, '0:00'],
    [0.2, '0:01'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });
});

describe('secondsLeft', () => {
  it('counts a part second as a whole one and stops at zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });
});

describe('Countdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts down live from what the core said, then opens PIN entry again', () => {
    const countdown = new Countdown(() => Date.now());
    expect(countdown.active).toBe(false);
    countdown.start(3);
    expect(countdown.active).toBe(true);
    expect(countdown.left).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(countdown.left).toBe(2);
    vi.advanceTimersByTime(1500);
    expect(countdown.left).toBe(1);
    vi.advanceTimersByTime(600);
    expect(countdown.left).toBe(0);
    expect(countdown.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes a longer lockout said later, and can be stopped', () => {
    const countdown = new Countdown(() => Date.now());
    countdown.start(60);
    vi.advanceTimersByTime(10_000);
    countdown.start(120);
    expect(countdown.left).toBe(120);
    expect(vi.getTimerCount()).toBe(1);
    countdown.stop();
    expect(countdown.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not lock for a wait of zero', () => {
    const countdown = new Countdown(() => Date.now());
    countdown.start(0);
    expect(countdown.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
