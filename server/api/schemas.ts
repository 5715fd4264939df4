/**
 * zod building blocks shared by every domain's request and response schemas. Chain values cross the HTTP
 * boundary here: uint256 is a decimal string in JSON and a bigint in handlers; addresses are accepted in
 * any case and handed to handlers lower-cased (the database's form).
 */
import { z } from "zod";
import { fromDecimal, isDecimal, toAddress } from "../lib/encode";

/** The shape of a uint256 decimal (the value must also be at most 2^256 − 1), stated in the OpenAPI document. */
export const UINT256_PATTERN = /^(0|[1-9][0-9]{0,77})$/;

/** A uint256 in JSON: a decimal string without sign, leading zeros or fraction. Parsed to bigint. */
export const Uint256 = z
  .string()
  .regex(UINT256_PATTERN, "a uint256 as a canonical decimal string (no sign, leading zero or fraction)")
  // One issue per bad value: the range is checked only on what has the shape.
  .refine((s) => !UINT256_PATTERN.test(s) || isDecimal(s), "a uint256 is at most 2^256 − 1")
  .transform((s) => fromDecimal(s))
  .meta({ description: "uint256 as a decimal string", example: "1000000" });

/** A strictly positive uint256 (amounts that must not be zero). */
export const PositiveUint256 = Uint256.refine((v) => v > 0n, "must be greater than zero");

/** A uint256 in a response: always a decimal string. */
export const Uint256Out = z.string().regex(UINT256_PATTERN).meta({ description: "uint256 as a decimal string", example: "1000000" });

/**
 * The `Idempotency-Key` header: 8–128 characters of `A–Z a–z 0–9 . _ : -` (a UUID fits). Scoped to the
 * calling organisation (or server role).
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
export const IdempotencyKeyHeader = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN)
  .meta({ description: "8–128 characters of A–Z, a–z, 0–9, '.', '_', ':' and '-' (a UUID fits); the same key with the same request replays the stored answer", example: "3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f" });

export const Address = z
  .string()
  .refine((s) => {
    try {
      toAddress(s);
      return true;
    } catch {
      return false;
    }
  }, "an EVM address (0x + 40 hex digits, valid checksum if mixed case)")
  .transform((s) => toAddress(s))
  .meta({ description: "EVM address", example: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });

export const AddressOut = z.string().meta({ description: "EVM address, lower case" });

export const Bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "0x + 64 hex digits")
  .transform((s) => s.toLowerCase())
  .meta({ description: "32 bytes as hex", example: `0x${"ab".repeat(32)}` });

export const HexBytes = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "0x-prefixed hex bytes").meta({ description: "hex bytes" });

export const TxHash = z.string().meta({ description: "transaction hash", example: `0x${"cd".repeat(32)}` });

export const IsoDate = z.string().meta({ description: "ISO 8601 timestamp", example: "2026-01-31T00:00:00.000Z" });

/** Paging by opaque cursor: stable under inserts, O(log n) per page with an index (no OFFSET scans). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page; null on the last" }),
  });
}

/** Path parameter `{id}` of a receivable (token ids are uint256). */
export const ReceivableIdParams = z.object({ id: Uint256 });

/**
 * Free-form JSON (an object) with its nesting depth and serialised size capped at validation, so that
 * no later step (hashing, storing, encoding) ever meets a value that overflows its stack or its column.
 * Depth counts containers: `{}` is 1, `{"a":[1]}` is 2. Walked without recursion.
 */
export function boundedJsonObject(limits: { maxDepth: number; maxBytes: number }) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const stack: [unknown, number][] = [[value, 1]];
    while (stack.length > 0) {
      const [v, depth] = stack.pop() as [unknown, number];
      if (v === null || typeof v !== "object") continue;
      if (depth > limits.maxDepth) {
        ctx.addIssue({ code: "custom", message: `nested deeper than ${limits.maxDepth} levels` });
        return;
      }
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
    }
    const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
    if (bytes > limits.maxBytes) ctx.addIssue({ code: "custom", message: `${bytes} bytes as JSON; at most ${limits.maxBytes}` });
  });
}

/** EIP-712 typed data for `eth_signTypedData_v4` (all values as strings), with the digest the signature covers. */
export function typedDataOut<P extends string>(primaryType: P, id: string) {
  return z
    .object({
      domain: z.object({ name: z.string(), version: z.string(), chainId: z.string(), verifyingContract: AddressOut }),
      types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
      primaryType: z.literal(primaryType),
      message: z.record(z.string(), z.string()),
      digest: z.string(),
    })
    .meta({ id });
}
