import type { FinancingQuote } from "../../db/generated/sqlite/client";
import { FinancingMode, type Quote } from "../../lib/typedData";

export const MODE_NUMBER = { PURCHASE: FinancingMode.Purchase, PLEDGE: FinancingMode.Pledge } as const;
export type Mode = keyof typeof MODE_NUMBER;

/** The quote a stored row stands for, as the financing settlement hashes and executes it. */
export function structOf(q: FinancingQuote): Quote {
  return {
    receivableId: BigInt(q.receivableId),
    amount: BigInt(q.amount),
    advance: BigInt(q.advance),
    financier: q.financier,
    holder: q.holder,
    mode: MODE_NUMBER[q.mode as Mode],
    repayment: BigInt(q.repayment),
    currency: q.currency,
    expiry: q.expiry,
    nonce: BigInt(q.nonce),
    programmeId: BigInt(q.programmeId),
    // Quotes placed before due-diligence records existed carry ZeroHash (the migration's default).
    evidenceHash: q.evidenceHash,
  };
}
