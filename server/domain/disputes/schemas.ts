import { z } from "zod";
import { AddressOut, Bytes32, Uint256, Uint256Out } from "../../api/schemas";

/** OPEN: freezes its tree; UPHELD: the operator upheld it (frozen until released); RELEASED: lifted by the
 * operator; LAPSED: a debtor's dispute past its end without being upheld (no transaction marks it). */
export const DisputeStatus = z.enum(["OPEN", "UPHELD", "RELEASED", "LAPSED"]);

export const RaiseDisputeBody = z
  .object({
    rootId: Uint256,
    evidenceHash: Bytes32.meta({ description: "keccak256 of the evidence document (kept off chain)" }),
  })
  .meta({ id: "RaiseDispute" });

export const ResolveDisputeBody = z.object({ outcome: z.enum(["UPHOLD", "RELEASE"]) }).meta({ id: "ResolveDispute" });

export const DisputeParams = z.object({ rootId: Uint256 });

export const ListDisputesQuery = z.object({ status: DisputeStatus.optional() });

export const DisputeOut = z
  .object({
    rootId: Uint256Out,
    raiser: AddressOut,
    evidenceHash: z.string(),
    raisedAt: z.number().int(),
    expiresAt: z.number().int().nullable().meta({ description: "when a debtor's dispute lapses unless upheld; null: no end" }),
    status: DisputeStatus,
    resolvedBy: AddressOut.nullable(),
    issuer: AddressOut,
  })
  .meta({ id: "Dispute" });
