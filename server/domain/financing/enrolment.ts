/**
 * Quotes that ask for enrolment in a risk-sharing programme (issue 13 item 2 through the API). The quote
 * carries `programmeId`, the financier signs it, and the settlement enrols the financing in the same
 * transaction as the acceptance or reverts ("enrol or fail"): the contract has the last word on quotas,
 * caps and the pool. The API checks what it can see when the quote is placed — the programme, its
 * currency, the financier's participation, the holder's whitelisting — so a quote that could never be
 * accepted is refused then, with the contract's own error names; and it tells the holder the interest
 * subsidy it would get (issue 13 item 3) and its effective rate after it.
 */
import { ConflictError, NotFoundError } from "../../lib/appErrors";
import type { DomainContext } from "../context";
import { effectiveAnnualRatePpm, ppmToPercent } from "./rates";

const DAY = 86_400n;
/** RiskProgramme's `_BPS_YEAR_DAYS`: subsidy = amount × bps × whole days / (10 000 × 365). */
const BPS_YEAR_DAYS = 10_000n * 365n;

/** Exactly the contract's subsidy for a financing of `amount` accepted at `nowSec` (whole days to maturity, rounded down). */
export function subsidyOf(amount: bigint, subsidyBps: number, maturity: bigint, nowSec: bigint): bigint {
  if (maturity <= nowSec) return 0n;
  return (amount * BigInt(subsidyBps) * ((maturity - nowSec) / DAY)) / BPS_YEAR_DAYS;
}

export function createEnrolment(ctx: DomainContext) {
  return {
    /**
     * Refuses a quote asking for enrolment in `programmeId` that the programme could not take today: the
     * programme must exist and the financier take part in it (otherwise it reads as not found, as the
     * programme's existence is its participants' business), be in the receivable's currency, give the
     * financier a quota, and list the holder as whitelisted at some instant before the quote expires.
     */
    async assertEligible(programmeId: bigint, quote: { financier: string; holder: string; currency: string; expiry: bigint }, nowSec: number): Promise<void> {
      const id = programmeId.toString();
      const [programme, positions] = await Promise.all([
        ctx.db.riskProgramme.findUnique({ where: { id } }),
        ctx.db.riskPosition.findMany({ where: { programmeId: id, party: { in: [quote.financier, quote.holder] } } }),
      ]);
      const financier = positions.find((p) => p.kind === "FINANCIER" && p.party === quote.financier);
      if (programme === null || financier === undefined) throw new NotFoundError("programme", id);
      if (programme.currency !== quote.currency) {
        throw new ConflictError("RiskCurrencyMismatch", "the programme is in another currency than the receivable", { programmeId: id, programmeCurrency: programme.currency, currency: quote.currency });
      }
      if (BigInt(financier.quota) === 0n) {
        throw new ConflictError("RiskFinancierNotParticipating", "the programme gives this financier no quota", { programmeId: id, financier: quote.financier });
      }
      // The programme checks the listing when the holder accepts, some time up to the quote's expiry: refused
      // now only when no instant of that span lies within the listing's validity.
      const listing = positions.find((p) => p.kind === "ENTERPRISE" && p.party === quote.holder);
      if (listing === undefined || listing.validFrom === null || listing.validUntil === null || listing.validUntil < BigInt(nowSec) || listing.validFrom > quote.expiry) {
        throw new ConflictError("RiskNotWhitelisted", "the holder is not on the programme's whitelist while the quote can be accepted", {
          programmeId: id,
          enterprise: quote.holder,
          validFrom: listing?.validFrom?.toString() ?? null,
          validUntil: listing?.validUntil?.toString() ?? null,
        });
      }
    },

    /**
     * What enrolment would pay if the quote were accepted now, by the programme's current terms: the
     * subsidy, who receives it, and — when the holder does — its effective annual rate after the subsidy
     * (what it gives up less the subsidy, against the advance). Null for a quote without a programme.
     */
    async subsidiesOf(quotes: readonly { id: string; programmeId: string; amount: string; advance: string; cost: bigint; maturity: bigint }[], nowSec: number) {
      const ids = [...new Set(quotes.map((q) => q.programmeId).filter((p) => p !== "0"))];
      const programmes = ids.length === 0 ? [] : await ctx.db.riskProgramme.findMany({ where: { id: { in: ids } } });
      const byId = new Map(programmes.map((p) => [p.id, p]));
      const now = BigInt(nowSec);
      const out = new Map<string, { amount: string; recipient: "HOLDER" | "FINANCIER"; effectiveAnnualRate: { ppm: string; percent: string } | null }>();
      for (const q of quotes) {
        const p = byId.get(q.programmeId);
        if (p === undefined) continue;
        const subsidy = subsidyOf(BigInt(q.amount), p.subsidyBps ?? 0, q.maturity, now);
        const recipient = p.subsidyToFinancier ? "FINANCIER" : "HOLDER";
        const ppm = recipient === "HOLDER" ? effectiveAnnualRatePpm({ advance: BigInt(q.advance), cost: q.cost - subsidy, secondsToMaturity: q.maturity > now ? q.maturity - now : 0n }) : null;
        out.set(q.id, { amount: subsidy.toString(), recipient, effectiveAnnualRate: ppm === null ? null : { ppm: ppm.toString(), percent: ppmToPercent(ppm) } });
      }
      return out;
    },
  };
}
