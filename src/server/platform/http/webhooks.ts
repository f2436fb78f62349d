import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { AbortError, createResilientCall, type ResilientCallOptions } from '../resilience/resilient-call.js';

/** Header carrying `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<raw body>`). */
export const SIGNATURE_HEADER = 'x-signature-256';
/** Unix seconds when the delivery was signed; part of the signed string, so a replay is detectable. */
export const TIMESTAMP_HEADER = 'x-webhook-timestamp';

/**
 * Addresses a webhook must never reach unless explicitly allowed: they point into our own host or
 * network (a webhook URL is attacker-influenced input, the classic SSRF route to metadata
 * services and internal admin ports). IPv4-mapped IPv6 forms (::ffff:127.0.0.1) match the IPv4
 * rules too (BlockList checks them).
 */
const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on most systems
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: embeds an IPv4 address we would not see
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, unique-local, multicast and reserved addresses. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  return nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The webhook was not sent because its URL is not allowed (scheme, address). Never retried. */
export class WebhookRefused extends Error {
  override readonly name = 'WebhookRefused';
}

/** The receiver answered with a status other than 2xx. */
export class WebhookRejected extends Error {
  override readonly name = 'WebhookRejected';
  constructor(readonly status: number) {
    super(`webhook receiver answered ${status}`);
  }
}

export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Checks a webhook URL and picks the address to connect to. Every address the name resolves to
 * must be public (a name with one private address among public ones is refused: which one a
 * client would use is not ours to predict). The caller connects to the returned address, so a
 * DNS answer that changes between this check and the connection (rebinding) cannot redirect it.
 */
export async function resolveWebhookTarget(
  rawUrl: string,
  options: { allowPrivate: boolean; resolve?: ResolveHost },
): Promise<{ url: URL; address: string; family: number }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookRefused('the webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new WebhookRefused(`the scheme ${url.protocol} is not allowed (http or https only)`);
  if (url.username || url.password)
    throw new WebhookRefused('credentials in the webhook URL are not allowed');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await (options.resolve ?? systemResolve)(host).catch((err: Error) => {
        throw new WebhookRefused(`the webhook host could not be resolved: ${err.message}`);
      });
  if (addresses.length === 0) throw new WebhookRefused('the webhook host has no address');
  if (!options.allowPrivate) {
    const blocked = addresses.find((a) => isNonPublicAddress(a.address));
    if (blocked)
      throw new WebhookRefused(`the webhook host resolves to a non-public address (${blocked.address})`);
  }
  const chosen = addresses[0]!;
  return { url, address: chosen.address, family: chosen.family };
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers (and tests): the signature matches and the timestamp is within `toleranceSeconds`
 * of `now`, so a captured delivery replayed later is refused.
 */
export function verifyWebhookSignature(
  secret: string,
  input: { timestamp: string | undefined; signature: string | undefined; body: string },
  options: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  const { timestamp, signature, body } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookSenderOptions {
  /** The HMAC key; a secret: never log it. */
  secret: string;
  /** Lets webhooks reach loopback and private addresses (development and tests only). */
  allowPrivate: boolean;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Attempts after the first (default 3). */
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  breaker?: ResilientCallOptions['breaker'];
  /** DNS resolution (default: the system resolver); tests point a name at a local server. */
  resolve?: ResolveHost;
  clock?: () => Date;
  userAgent?: string;
}

export interface WebhookDelivery {
  status: number;
  attempts: number;
}

/**
 * Sends signed JSON POSTs with a timeout, retries with backoff and jitter, and one circuit
 * breaker for all deliveries of this sender (create one per integration at startup). Redirects
 * are not followed (a 3xx is a failure): following one would bypass the address check.
 * Non-retried: refused URLs and 4xx answers other than 408 and 429.
 */
export function createWebhookSender(name: string, options: WebhookSenderOptions) {
  const clock = options.clock ?? (() => new Date());
  const resilient = createResilientCall(
    name,
    async (
      signal: AbortSignal,
      rawUrl: string,
      body: string,
      tally: { attempts: number },
    ): Promise<number> => {
      tally.attempts += 1;
      let target: Awaited<ReturnType<typeof resolveWebhookTarget>>;
      try {
        target = await resolveWebhookTarget(rawUrl, {
          allowPrivate: options.allowPrivate,
          resolve: options.resolve,
        });
      } catch (err) {
        if (err instanceof WebhookRefused) throw new AbortError(err);
        throw err;
      }
      // Signed per attempt: a retry carries a fresh timestamp, so receivers can keep a tight window.
      const timestamp = Math.floor(clock().getTime() / 1000);
      const status = await post(target, body, signal, {
        'content-type': 'application/json',
        'user-agent': options.userAgent ?? 'analytics-platform-webhooks/1',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
      });
      if (status >= 200 && status < 300) return status;
      const rejected = new WebhookRejected(status);
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new AbortError(rejected);
      throw rejected;
    },
    {
      timeoutMs: options.timeoutMs ?? 5_000,
      retries: options.retries ?? 3,
      minDelayMs: options.minDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      ...(options.breaker ? { breaker: options.breaker } : {}),
    },
  );

  return {
    /** POSTs `payload` as JSON to `url`; resolves with the final status, rejects when every attempt failed. */
    async send(url: string, payload: unknown): Promise<WebhookDelivery> {
      const body = JSON.stringify(payload);
      const tally = { attempts: 0 };
      const status = await resilient.call(url, body, tally);
      return { status, attempts: tally.attempts };
    },
    state: () => resilient.state(),
    shutdown: () => resilient.shutdown(),
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

function post(
  target: { url: URL; address: string; family: number },
  body: string,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<number> {
  const { url, address, family } = target;
  const secure = url.protocol === 'https:';
  const hostIsName = isIP(url.hostname.replace(/^\[(.*)\]$/, '$1')) === 0;
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      {
        // Connect to the address that was checked; Host and TLS SNI keep the name.
        host: address,
        family,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, host: url.host, 'content-length': String(Buffer.byteLength(body)) },
        ...(secure && hostIsName ? { servername: url.hostname } : {}),
        signal,
      },
      (res: IncomingMessage) => {
        // Drain and discard: the answer's body is not ours to keep.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
