import { describe, expect, it } from 'vitest';
import { checkLocalRequest } from '../../../web/request-guard.ts';

const PORT = 4680;

describe('checkLocalRequest', () => {
  it('lets the CLI and the SDK through: 127.0.0.1 or localhost with the port, no Origin', () => {
    expect(checkLocalRequest('POST', '/v1/x', { host: '127.0.0.1:4680' }, PORT)).toBeUndefined();
    expect(checkLocalRequest('GET', '/', { host: 'LOCALHOST:4680' }, PORT)).toBeUndefined();
  });

  it('refuses any other Host, so a rebound DNS name cannot reach the server', () => {
    for (const host of [
      undefined,
      'evil.example',
      'evil.example:4680',
      '127.0.0.1',
      '127.0.0.1:4681',
      '[::1]:4680',
    ]) {
      expect(checkLocalRequest('GET', '/', { host }, PORT)?.status, String(host)).toBe(421);
    }
  });

  it('allows the page’s own origin and refuses every other one', () => {
    const own = { host: '127.0.0.1:4680', origin: 'http://127.0.0.1:4680' };
    expect(checkLocalRequest('POST', '/v1/x', own, PORT)).toBeUndefined();
    for (const origin of [
      'http://localhost:4680',
      'http://127.0.0.1:4681',
      'https://127.0.0.1:4680',
      'null',
    ]) {
      expect(checkLocalRequest('POST', '/v1/x', { ...own, origin }, PORT)?.status, origin).toBe(403);
    }
  });

  it('refuses what the browser marks cross-site or same-site, except opening a page by a link', () => {
    const host = '127.0.0.1:4680';
    expect(checkLocalRequest('GET', '/v1/x', { host, 'sec-fetch-site': 'cross-site' }, PORT)?.status).toBe(
      403,
    );
    expect(checkLocalRequest('GET', '/app.js', { host, 'sec-fetch-site': 'same-site' }, PORT)?.status).toBe(
      403,
    );
    const navigate = { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };
    expect(checkLocalRequest('GET', '/', navigate, PORT)).toBeUndefined();
    expect(checkLocalRequest('POST', '/', navigate, PORT)?.status).toBe(403);
    expect(checkLocalRequest('GET', '/v1/namespaces/default/workflows', navigate, PORT)?.status).toBe(403);
    expect(checkLocalRequest('GET', '/', { host, 'sec-fetch-site': 'same-origin' }, PORT)).toBeUndefined();
  });
});
