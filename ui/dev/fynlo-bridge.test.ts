// The dev bridge answers only the till's own pages: a request must carry the bridge's header, come to
// this machine's host, and (when the browser says where it comes from) come from that same origin.

import { describe, expect, it } from 'vitest';
import { bridgeVerdict, type BridgeRequest } from './fynlo-bridge';

/** A request as the till page served by `vite dev` on port 5173 sends it. */
function request(headers: Record<string, string | undefined>, method = 'POST'): BridgeRequest {
  return {
    method,
    headers: {
      host: 'localhost:5173',
      origin: 'http://localhost:5173',
      'x-fynlo-bridge': '1',
      'content-type': 'application/json',
      ...headers,
    },
  };
}

describe('bridgeVerdict', () => {
  it('answers the till page’s own request', () => {
    expect(bridgeVerdict(request({}))).toEqual({ ok: true });
    expect(bridgeVerdict(request({ host: '127.0.0.1:4173', origin: 'http://127.0.0.1:4173' }))).toEqual({
      ok: true,
    });
    expect(bridgeVerdict(request({ host: '[::1]:5173', origin: 'http://[::1]:5173' }))).toEqual({ ok: true });
  });

  it('refuses a request without the bridge’s header (a plain form post from any page)', () => {
    const verdict = bridgeVerdict(request({ 'x-fynlo-bridge': undefined }));
    expect(verdict.ok).toBe(false);
    expect(bridgeVerdict(request({ 'x-fynlo-bridge': '0' })).ok).toBe(false);
  });

  it('refuses a request from another origin, even with the header', () => {
    expect(bridgeVerdict(request({ origin: 'https://evil.example' })).ok).toBe(false);
    expect(bridgeVerdict(request({ origin: 'http://localhost:8080' })).ok).toBe(false);
    expect(bridgeVerdict(request({ origin: 'null' })).ok).toBe(false);
  });

  it('answers a request with the header and no Origin (same-origin, or curl)', () => {
    expect(bridgeVerdict(request({ origin: undefined }))).toEqual({ ok: true });
  });

  it('refuses another host name pointed at this machine (DNS rebinding) unless the server allows it', () => {
    const rebound = request({ host: 'evil.example:5173', origin: 'http://evil.example:5173' });
    expect(bridgeVerdict(rebound).ok).toBe(false);
    expect(bridgeVerdict(rebound, ['evil.example'])).toEqual({ ok: true });
    expect(bridgeVerdict(rebound, ['.example'])).toEqual({ ok: true });
    expect(bridgeVerdict(rebound, true)).toEqual({ ok: true });
    expect(bridgeVerdict(request({ host: undefined, origin: undefined })).ok).toBe(false);
  });

  it('answers only POST', () => {
    expect(bridgeVerdict(request({}, 'GET')).ok).toBe(false);
  });
});
