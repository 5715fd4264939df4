/**
 * Where a webhook may point (server-side request forgery): HTTPS to a public address. Plain HTTP and
 * loopback targets (127.0.0.0/8, ::1, localhost) only when API_WEBHOOK_ALLOW_LOOPBACK says so — the
 * tests and `npm start`, whose receivers listen on 127.0.0.1. Private, link-local, carrier-grade NAT,
 * multicast and reserved ranges are refused always. A host name is checked again at every delivery,
 * against every address it resolves to, and the connection goes to the address that was checked (a name
 * that resolves to a public address at subscription and to an internal one later is refused then).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

export interface WebhookTargetPolicy {
  /** http:// and loopback targets allowed (development and tests only). */
  allowLoopback: boolean;
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

const forbidden = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  forbidden.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const)
  forbidden.addSubnet(net, bits, "ipv6");

export type AddressClass = "loopback" | "forbidden" | "public";

export function classifyAddress(address: string): AddressClass {
  let ip = address.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
  if (loopback.check(ip, family)) return "loopback";
  if (forbidden.check(ip, family)) return "forbidden";
  return "public";
}

/** Why a URL may not be a webhook target, or undefined when it may. */
export function refuseTarget(raw: string, policy: WebhookTargetPolicy): { code: string; message: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: "WebhookUrlInvalid", message: "not a URL" };
  }
  if (url.username !== "" || url.password !== "") return { code: "WebhookUrlInvalid", message: "a webhook URL carries no credentials (sign with the subscription's secret instead)" };
  if (url.hash !== "") return { code: "WebhookUrlInvalid", message: "a webhook URL has no fragment" };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const literal = isIP(host) !== 0;
  const cls: AddressClass | "name" = host === "localhost" || host.endsWith(".localhost") ? "loopback" : literal ? classifyAddress(host) : "name";
  if (cls === "forbidden") return { code: "WebhookTargetNotAllowed", message: "private, link-local and reserved addresses are not webhook targets" };
  if (cls === "loopback" && !policy.allowLoopback) return { code: "WebhookTargetNotAllowed", message: "loopback targets are allowed only with API_WEBHOOK_ALLOW_LOOPBACK (development)" };
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && cls === "loopback" && policy.allowLoopback) return undefined;
  return { code: "WebhookUrlNotHttps", message: "a webhook URL must be https:// (http:// only to loopback with API_WEBHOOK_ALLOW_LOOPBACK)" };
}

/**
 * A DNS lookup for the delivery's connection that refuses forbidden addresses (and loopback unless
 * allowed): every address the name resolves to must pass, and the connection uses the first.
 */
export function guardedLookup(policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      const bad = addresses.find((a) => {
        const cls = classifyAddress(a.address);
        return cls === "forbidden" || (cls === "loopback" && !policy.allowLoopback);
      });
      if (bad !== undefined || addresses.length === 0) {
        const e = Object.assign(new Error(`webhook target ${hostname} resolves to a refused address`), { code: "WebhookTargetNotAllowed" });
        return callback(e, "", 4);
      }
      const first = addresses[0]!;
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [first]);
      callback(null, first.address, first.family);
    });
  };
}
