import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TillError } from './api';
import { Quote } from './quote.svelte';

describe('Quote', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks once the typing pauses, and shows nothing until the answer comes', async () => {
    const ask = vi.fn(async (n: number) => n * 10);
    const quote = new Quote(ask, 200);
    quote.request(1);
    quote.request(10);
    quote.request(100);
    expect(quote.value).toBeNull();
    expect(quote.waiting).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask).toHaveBeenCalledWith(100);
    expect(quote.value).toBe(1000);
    expect(quote.waiting).toBe(false);
  });

  it('keeps only the answer to the latest question', async () => {
    let release: (n: number) => void = () => {};
    const ask = vi.fn((n: number) =>
      n === 1 ? new Promise<number>((r) => (release = r)) : Promise.resolve(n * 10),
    );
    const quote = new Quote(ask, 0);
    quote.request(1);
    await vi.advanceTimersByTimeAsync(0);
    quote.request(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBe(20);
    release(10);
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBe(20);
  });

  it('clears on null, and stops when disposed', async () => {
    const ask = vi.fn(async (n: number) => n);
    const quote = new Quote(ask, 50);
    quote.request(5);
    await vi.advanceTimersByTimeAsync(50);
    expect(quote.value).toBe(5);
    quote.request(null);
    expect(quote.value).toBeNull();
    expect(quote.waiting).toBe(false);
    quote.request(6);
    quote.dispose();
    await vi.advanceTimersByTimeAsync(100);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(quote.value).toBeNull();
  });

  it('keeps a placeholder when the core could not answer', async () => {
    const quote = new Quote(async () => null, 0);
    quote.request(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBeNull();
    expect(quote.waiting).toBe(false);
  });

  it('keeps why the core refused, until the next question', async () => {
    const ask = vi.fn(async (n: number) => {
      if (n === 0) throw new TillError('modifier_rule', 'Cooking: choose at least 1');
      return n;
    });
    const quote = new Quote(ask, 0);
    quote.request(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBeNull();
    expect(quote.waiting).toBe(false);
    expect(quote.refused).toMatchObject({ code: 'modifier_rule', message: 'Cooking: choose at least 1' });
    quote.request(7);
    expect(quote.refused).toBeNull();
    expect(quote.waiting).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBe(7);
    expect(quote.refused).toBeNull();
  });

  it('drops a refusal that answers an older question', async () => {
    let refuse: (e: unknown) => void = () => {};
    const ask = vi.fn((n: number) =>
      n === 1 ? new Promise<number>((_, reject) => (refuse = reject)) : Promise.resolve(n),
    );
    const quote = new Quote(ask, 0);
    quote.request(1);
    await vi.advanceTimersByTimeAsync(0);
    quote.request(2);
    await vi.advanceTimersByTimeAsync(0);
    refuse({ code: 'modifier_rule', message: 'too late' });
    await vi.advanceTimersByTimeAsync(0);
    expect(quote.value).toBe(2);
    expect(quote.refused).toBeNull();
  });
});
