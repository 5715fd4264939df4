/**
 * zod building blocks shared by every domain's request and response schemas. Chain values cross the HTTP
 * boundary here: uint256 is a decimal string in JSON and a bigint in handlers; addresses are accepted in
 * any case and handed to handlers lower-cased (the database's form).
 */
import { z } from "zod";
import { fromDecimal, isDecimal, toAddress } from "../lib/encode";

/** A uint256 in JSON: a decimal string without sign, leading zeros or fraction. Parsed to bigint. */
export const Uint256 = z
  .string()
  .refine(isDecimal, "a uint256 as a canonical decimal string (no sign, leading zero or fraction)")
  .transform((s) => fromDecimal(s))
  .meta({ description: "uint256 as a decimal string", example: "1000000" });

/** A strictly positive uint256 (amounts that must not be zero). */
export const PositiveUint256 = Uint256.refine((v) => v > 0n, "must be greater than zero");

/** A uint256 in a response: always a decimal string. */
export const Uint256Out = z.string().meta({ description: "uint256 as a decimal string", example: "1000000" });

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
