import { describe, expect, it } from 'vitest';
import { clientAddressFrom, parseTrustProxy, type TrustProxy } from './trust-proxy.js';

const trust = (text: string): TrustProxy => {
  const t = parseTrustProxy(text);
  if (typeof t === 'string') throw new Error(t);
  return t;
};

describe('TRUST_PROXY', () => {
  it('false ignores X-Forwarded-For altogether', () => {
    expect(clientAddressFrom('10.0.0.5', '1.2.3.4', trust('false'))).toBe('10.0.0.5');
    expect(clientAddressFrom('::ffff:10.0.0.5', undefined, trust('0'))).toBe('10.0.0.5');
  });

  it('true is one hop: the right-most entry, whatever the client wrote on the left', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddressFrom('10.0.0.2', '6.6.6.6, 203.0.113.7', trust('true'))).toBe('203.0.113.7');
    expect(clientAddressFrom('10.0.0.2', '7.7.7.7, 203.0.113.7', trust('true'))).toBe('203.0.113.7');
    expect(clientAddressFrom('10.0.0.2', undefined, trust('true'))).toBe('10.0.0.2');
  });

  it('a hop count walks that many proxies back', () => {
    expect(clientAddressFrom('10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.9', trust('2'))).toBe('203.0.113.7');
    // More hops than entries: the left-most is all there is.
    expect(clientAddressFrom('10.0.0.2', '203.0.113.7', trust('5'))).toBe('203.0.113.7');
    expect(clientAddressFrom('10.0.0.2', ['6.6.6.6', '203.0.113.7'], trust('1'))).toBe('203.0.113.7');
  });

  it('a list trusts only those proxies, wherever they are in the chain', () => {
    const t = trust('loopback, 10.0.0.0/8');
    expect(clientAddressFrom('127.0.0.1', '6.6.6.6, 203.0.113.7, 10.1.2.3', t)).toBe('203.0.113.7');
    // Straight from the internet: the socket's peer is not a trusted proxy, so the header is ignored.
    expect(clientAddressFrom('198.51.100.1', '6.6.6.6', t)).toBe('198.51.100.1');
    expect(clientAddressFrom('::1', 'fd00::1', trust('::1, uniquelocal'))).toBe('fd00::1');
  });

  it('refuses what it cannot read, by name', () => {
    expect(parseTrustProxy('yes')).toMatch(/^TRUST_PROXY: "yes" is not an IP address/);
    expect(parseTrustProxy('10.0.0.0/33')).toMatch(/^TRUST_PROXY/);
    expect(parseTrustProxy('99')).toMatch(/at most 32/);
  });
});
