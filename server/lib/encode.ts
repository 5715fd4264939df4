// The one boundary for chain values: uint256 ↔ bigint ↔ canonical decimal string, addresses and
// hashes ↔ lower-case hex, JSON-RPC quantities ↔ bigint. Everything that stores or serves a chain
// value goes through here, so a value has exactly one spelling in the database and in JSON.
import { getAddress } from "ethers";

export const MAX_UINT256 = (1n << 256n) - 1n;

export class EncodeError extends Error {
  override name = "EncodeError";
}

/** bigint (0 ≤ x < 2^256) → canonical decimal text, as stored in the database and sent in JSON. */
export function toDecimal(x: bigint): string {
  if (typeof x !== "bigint") throw new EncodeError(`expected a bigint, got ${typeof x}`);
  if (x < 0n || x > MAX_UINT256) throw new EncodeError(`${x} is outside uint256`);
  return x.toString(10);
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Canonical decimal text → bigint. Rejects signs, leading zeros, spaces, exponents and > 2^256-1. */
export function fromDecimal(s: string): bigint {
  if (typeof s !== "string" || !DECIMAL.test(s) || s.length > 78) throw new EncodeError(`"${String(s)}" is not a canonical uint256 decimal`);
  const x = BigInt(s);
  if (x > MAX_UINT256) throw new EncodeError(`${s} is outside uint256`);
  return x;
}

export function isDecimal(s: unknown): s is string {
  return typeof s === "string" && DECIMAL.test(s) && s.length <= 78 && BigInt(s) <= MAX_UINT256;
}

/** Numeric order of two canonical decimals without parsing (shorter is smaller). */
export function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Any-case address → lower-case (the database spelling). Rejects malformed and bad-checksum input. */
export function toAddress(a: string): string {
  try {
    return getAddress(a).toLowerCase();
  } catch {
    throw new EncodeError(`"${a}" is not an address`);
  }
}

/** JSON-RPC quantity ("0x1a") → bigint. */
export function fromQuantity(q: string): bigint {
  if (typeof q !== "string" || !/^0x[0-9a-fA-F]+$/.test(q)) throw new EncodeError(`"${String(q)}" is not a JSON-RPC quantity`);
  return BigInt(q);
}

/** JSON-RPC quantity → number, for values that fit (block numbers, log indexes). */
export function quantityToNumber(q: string): number {
  const x = fromQuantity(q);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new EncodeError(`${q} does not fit a JavaScript number`);
  return Number(x);
}

export function toQuantity(x: bigint | number): string {
  return "0x" + BigInt(x).toString(16);
}

/** JSON.stringify that writes bigints as decimal strings (never as lossy numbers). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString(10) : v));
}

/**
 * The key of an invoice row (the `invoice` projection): the ledger keys a registration by supplier and
 * hash (issue 8, F3), so two suppliers' registrations of one hash are two rows.
 */
export function invoiceRowId(supplier: string, invoiceHash: string): string {
  return `${supplier.toLowerCase()}:${invoiceHash.toLowerCase()}`;
}
