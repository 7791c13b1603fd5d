import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Tauri IPC is replaced so the test sees exactly what `run` sends and how it treats rejections.
const invoke = vi.fn();
let tauri = true;
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  isTauri: () => tauri,
}));

const { run, runExpecting, toTillError, TillError } = await import('./api');
const { friendlyMessage, inCoreWords } = await import('./errors');

describe('run', () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it('sends the command to `execute` and resolves with the reply', async () => {
    const reply = { type: 'session', staff: null, current_order: null };
    invoke.mockResolvedValue(reply);
    await expect(run({ cmd: 'whoami' })).resolves.toBe(reply);
    expect(invoke).toHaveBeenCalledWith('execute', { command: { cmd: 'whoami' } });
  });

  it('turns an AppError rejection into a typed TillError', async () => {
    invoke.mockRejectedValue({ code: 'wrong_pin', message: 'wrong PIN (1 wrong in the last 15 minutes)' });
    const error = await run({ cmd: 'login', pin: '0000' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TillError);
    expect(error).toMatchObject({ code: 'wrong_pin', message: 'wrong PIN (1 wrong in the last 15 minutes)' });
  });

  it('treats a rejection without a known code as the core being unreachable', async () => {
    invoke.mockRejectedValue('Command execute not allowed');
    await expect(run({ cmd: 'menu' })).rejects.toMatchObject({ code: 'unreachable' });
    expect(toTillError({ code: 'made_up', message: 'x' }).code).toBe('unreachable');
    expect(toTillError(new TypeError('Failed to fetch')).message).toBe('Failed to fetch');
  });

  it('keeps how long PIN entry is locked for', async () => {
    invoke.mockRejectedValue({ code: 'locked_out', message: 'too many wrong PINs', retry_after: 53 });
    const error = await run({ cmd: 'login', pin: '0000' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'locked_out', retryAfter: 53 });
    expect(toTillError({ code: 'wrong_pin', message: 'x' }).retryAfter).toBeUndefined();
    expect(toTillError({ code: 'locked_out', message: 'x', retry_after: -1 }).retryAfter).toBeUndefined();
  });

  it('checks the reply type', async () => {
    invoke.mockResolvedValue({ type: 'session', staff: null, current_order: null });
    await expect(runExpecting({ cmd: 'show_order' }, 'order')).rejects.toMatchObject({ code: 'unexpected' });
  });
});

describe('run without Tauri (the dev bridge)', () => {
  it('posts the command with the bridge’s own header, so the bridge can refuse other pages', async () => {
    tauri = false;
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true, result: { type: 'session' } })));
    vi.stubGlobal('fetch', fetch);
    try {
      await run({ cmd: 'whoami' });
      expect(fetch).toHaveBeenCalledWith('/__fynlo/execute', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Fynlo-Bridge': '1' },
        body: JSON.stringify({ cmd: 'whoami' }),
      });
      fetch.mockResolvedValueOnce(new Response('{}', { status: 403 }));
      await expect(run({ cmd: 'whoami' })).rejects.toMatchObject({ code: 'unreachable' });
    } finally {
      vi.unstubAllGlobals();
      tauri = true;
    }
  });
});

describe('friendlyMessage', () => {
  it('prefers the screen’s wording, then the shared sentence, then the message', () => {
    expect(friendlyMessage('wrong_pin', 'x')).toMatch(/PIN/);
    expect(friendlyMessage('not_found', 'x', { not_found: 'No product has that barcode.' })).toBe(
      'No product has that barcode.',
    );
    expect(friendlyMessage('some_future_code', 'the core’s own words')).toBe('the core’s own words');
  });
});

describe('inCoreWords', () => {
  it('shows a refused quote as the core worded it, as a sentence', () => {
    expect(inCoreWords('modifier_rule', 'Cooking: choose at least 1')).toBe('Cooking: choose at least 1');
    expect(inCoreWords('invalid_discount', 'the discount is larger than the amount it applies to')).toBe(
      'The discount is larger than the amount it applies to',
    );
  });

  it('uses the till’s own sentence when the core never answered, or said nothing', () => {
    expect(inCoreWords('unreachable', 'Failed to fetch')).toBe(friendlyMessage('unreachable', ''));
    expect(inCoreWords('modifier_rule', '  ')).toBe(friendlyMessage('modifier_rule', ''));
  });
});
