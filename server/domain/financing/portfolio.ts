/**
 * A financier's books: its portfolio of financed receivables with expected and received cash, and its
 * exposure — concentration per obligor (core enterprise) across what it holds, has pledged to it and has
 * quoted on. All sums are exact integers; shares are parts per million of the total.
 */
import { toDecimal } from "../../lib/encode";
import type { DomainContext } from "../context";

export function createPortfolioService(ctx: DomainContext) {
  return {
    async portfolio(financier: string) {
      const executions = await ctx.db.financingExecution.findMany({ where: { financier }, orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] });
      const financedIds = executions.map((e) => e.financedId);
      const [receivables, redemptions, debts] = await Promise.all([
        ctx.db.receivable.findMany({ where: { id: { in: financedIds } } }),
        ctx.db.redemption.findMany({ where: { receivableId: { in: financedIds } } }),
        ctx.db.pledgeDebt.findMany({ where: { receivableId: { in: financedIds } } }),
      ]);
      const receivableOf = new Map(receivables.map((r) => [r.id, r]));
      const debtOf = new Map(debts.map((d) => [d.receivableId, d]));
      let totalExpected = 0n;
      let totalReceived = 0n;
      let totalAdvanced = 0n;
      const items = executions.map((e) => {
        const r = receivableOf.get(e.financedId);
        const paid = redemptions.filter((x) => x.receivableId === e.financedId);
        // Purchase: the financier is the holder and collects the face amount. Pledge: it collects what it is owed.
        const expected = e.mode === "PURCHASE" ? BigInt(e.amount) : BigInt(e.repayment);
        const fromRedemptions = paid.reduce((s, x) => s + (e.mode === "PURCHASE" ? (x.holder === financier ? BigInt(x.toHolder) : 0n) : x.pledgee === financier ? BigInt(x.toPledgee) : 0n), 0n);
        const debt = debtOf.get(e.financedId);
        // A pledge repaid early by the holder: the repaid part is what is no longer owed.
        const repaidEarly = e.mode === "PLEDGE" && debt !== undefined && debt.status === "REPAID" ? expected - fromRedemptions : 0n;
        const received = fromRedemptions + repaidEarly;
        totalExpected += expected;
        totalReceived += received;
        totalAdvanced += BigInt(e.advance);
        return {
          quoteHash: e.quoteHash,
          financedId: e.financedId,
          receivableId: e.receivableId,
          mode: e.mode as "PURCHASE" | "PLEDGE",
          holder: e.holder,
          issuer: r?.issuer ?? null,
          maturity: r === undefined ? null : Number(r.maturity),
          amount: e.amount,
          advance: e.advance,
          expected: toDecimal(expected),
          received: toDecimal(received),
          outstanding: toDecimal(expected > received ? expected - received : 0n),
          status: (r?.status === "BURNED" || received >= expected ? "SETTLED" : "OPEN") as "SETTLED" | "OPEN",
          txHash: e.txHash,
        };
      });
      return {
        financier,
        totals: { advanced: toDecimal(totalAdvanced), expected: toDecimal(totalExpected), received: toDecimal(totalReceived) },
        items,
      };
    },

    async exposure(financier: string) {
      const [held, pledged, quotes] = await Promise.all([
        ctx.db.receivable.findMany({ where: { holder: financier, status: { not: "BURNED" } }, select: { issuer: true, amount: true } }),
        ctx.db.pledgeDebt.findMany({ where: { pledgee: financier, status: "OPEN" }, select: { receivableId: true, owed: true } }),
        ctx.db.financingQuote.findMany({ where: { financier, status: "OPEN" }, select: { receivableId: true, amount: true } }),
      ]);
      const ids = [...new Set([...pledged.map((p) => p.receivableId), ...quotes.map((q) => q.receivableId)])];
      const issuers = await ctx.db.receivable.findMany({ where: { id: { in: ids } }, select: { id: true, issuer: true } });
      const issuerOf = new Map(issuers.map((r) => [r.id, r.issuer]));
      const by = new Map<string, { held: bigint; pledged: bigint; quoted: bigint }>();
      const bucket = (issuer: string) => {
        let b = by.get(issuer);
        if (b === undefined) {
          b = { held: 0n, pledged: 0n, quoted: 0n };
          by.set(issuer, b);
        }
        return b;
      };
      for (const h of held) bucket(h.issuer).held += BigInt(h.amount);
      for (const p of pledged) bucket(issuerOf.get(p.receivableId) ?? "unknown").pledged += BigInt(p.owed);
      for (const q of quotes) bucket(issuerOf.get(q.receivableId) ?? "unknown").quoted += BigInt(q.amount);
      const grand = [...by.values()].reduce((s, b) => s + b.held + b.pledged + b.quoted, 0n);
      const items = [...by.entries()]
        .map(([obligor, b]) => {
          const total = b.held + b.pledged + b.quoted;
          return {
            obligor,
            held: toDecimal(b.held),
            pledged: toDecimal(b.pledged),
            quoted: toDecimal(b.quoted),
            total: toDecimal(total),
            sharePpm: grand === 0n ? 0 : Number((total * 1_000_000n) / grand),
          };
        })
        .sort((a, b) => b.sharePpm - a.sharePpm || (a.obligor < b.obligor ? -1 : 1));
      return { financier, total: toDecimal(grand), items };
    },
  };
}
