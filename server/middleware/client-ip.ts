import net from 'node:net';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';

/**
 * The client's address, for rate limits, sessions and the audit trail. `X-Forwarded-For` is
 * believed only when the connection comes from a configured proxy (ROSTER_TRUSTED_PROXIES), and
 * then read from the right: each trusted proxy appends the address it saw, so the first entry
 * from the right that is not itself a trusted proxy is the client. Anyone else's header is
 * ignored, so a client cannot choose its own address to dodge a limit or forge the audit trail.
 */
export function clientIp(trustedProxies: string[]) {
  const trusted = new net.BlockList();
  for (const entry of trustedProxies) {
    const [address, prefix] = entry.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (!net.isIP(address)) throw new Error(`ROSTER_TRUSTED_PROXIES: "${entry}" is not an address or CIDR range`);
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (ip: string) => {
    const type = net.isIP(ip);
    return type !== 0 && trusted.check(ip, type === 6 ? 'ipv6' : 'ipv4');
  };

  return async (ctx: AppContext, next: Next) => {
    const peer = unmap(ctx.req.socket.remoteAddress ?? '');
    let ip = peer;
    if (trustedProxies.length && isTrusted(peer)) {
      const forwarded = ctx.get('X-Forwarded-For').split(',').map((s) => unmap(s.trim())).filter(Boolean);
      for (let i = forwarded.length - 1; i >= 0; i--) {
        if (!net.isIP(forwarded[i])) break;
        ip = forwarded[i];
        if (!isTrusted(ip)) break;
      }
    }
    ctx.request.ip = ip;
    await next();
  };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
const unmap = (ip: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);
