import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of serve are trusted to add `X-Forwarded-For` entries, as Express's
 * `trust proxy` setting: a hop count (the n addresses nearest to us, the socket's peer first), or
 * a list of proxy addresses and subnets. Nothing else in the header is believed: the client writes
 * whatever it likes at its left end.
 */
export type TrustProxy = { hops: number } | { list: BlockList; text: string };

const PRESETS: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Parses TRUST_PROXY: `false`/`0` (none), `true` (one hop: the proxy directly in front), a hop
 * count, or a comma-separated list of addresses, subnets and the names loopback, linklocal,
 * uniquelocal. Returns a problem string instead when the text is none of these.
 */
export function parseTrustProxy(text: string): TrustProxy | string {
  const t = text.trim().toLowerCase();
  if (t === 'false' || t === '') return { hops: 0 };
  if (t === 'true') return { hops: 1 };
  if (/^\d+$/.test(t)) {
    const hops = Number(t);
    return hops <= 32 ? { hops } : `TRUST_PROXY: ${hops} hops is more than any real chain of proxies (at most 32)`;
  }
  const list = new BlockList();
  for (const raw of t.split(',')) {
    const item = raw.trim();
    for (const entry of PRESETS[item] ?? [item]) {
      const [addr, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(addr);
      const max = family === 6 ? 128 : 32;
      if (family === 0 || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max))) {
        return `TRUST_PROXY: ${JSON.stringify(item)} is not an IP address, a subnet (10.0.0.0/8), loopback, linklocal or uniquelocal; or use a hop count, true or false`;
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(addr, type);
      else list.addSubnet(addr, Number(bits), type);
    }
  }
  return { list, text: t };
}

function plain(address: string): string {
  const a = address.trim().replace(/^\[(.*)\]$/, '$1');
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}

/**
 * The client's address: walking from the socket's peer leftwards through `X-Forwarded-For`, the
 * first address that is not a trusted proxy (or the left-most one, when all are trusted).
 */
export function clientAddressFrom(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const peer = plain(socketAddress ?? 'unknown');
  if ('hops' in trust && trust.hops === 0) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const chain = [peer, ...header.split(',').map(plain).filter((a) => a !== '').reverse()];
  for (let i = 0; i < chain.length; i++) {
    const addr = chain[i]!;
    const trusted = 'hops' in trust ? i < trust.hops : isIP(addr) !== 0 && trust.list.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4');
    if (!trusted) return addr;
  }
  return chain[chain.length - 1]!;
}
