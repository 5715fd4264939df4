/**
 * A financier's books: its portfolio of financed receivables with expected and received cash, and its
 * exposure — concentration per obligor (core enterprise) across what it holds, has pledged to it and has
 * quoted on. All sums are exact integers; shares are parts per million of the total.
 */
import { toDecimal } from "../../lib/encode";
import type { DomainContext } from "../context";
import type { RegistrationService } from "./registrations";

export function createPortfolioService(ctx: DomainContext, deps: { registrations: RegistrationService }) {
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
      // The tree's state on chain: marked overdue (and not cured by a late deposit), or frozen by a dispute.
      const roots = await ctx.reads.roots([...new Set(receivables.map((r) => r.rootId))], Math.floor(ctx.now().getTime() / 1000));
      const rootOf = new Map(roots.map((r) => [r.rootId, r]));
      const treeOf = (rootId: string) => {
        const root = rootOf.get(rootId);
        return { rootId, overdue: (root?.overdue ?? false) && !(root?.cured ?? false), frozen: root?.frozen ?? false };
      };
      const registrationOf = await deps.registrations.statesOf(executions);
      const debtOf = new Map(debts.map((d) => [d.receivableId, d]));
      // Per currency: amounts of different currencies are never added.
      const totals = new Map<string, { advanced: bigint; expected: bigint; received: bigint }>();
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
        const total = totals.get(e.currency) ?? { advanced: 0n, expected: 0n, received: 0n };
        total.expected += expected;
        total.received += received;
        total.advanced += BigInt(e.advance);
        totals.set(e.currency, total);
        const status: "SETTLED" | "OPEN" = r?.status === "BURNED" || received >= expected ? "SETTLED" : "OPEN";
        return {
          quoteHash: e.quoteHash,
          currency: e.currency,
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
          status,
          tree: r === undefined ? null : treeOf(r.rootId),
          txHash: e.txHash,
          registration: registrationOf.get(e.quoteHash) ?? deps.registrations.stateOf(e, null),
        };
      });
      return {
        financier,
        totals: [...totals.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([currency, t]) => ({ currency, advanced: toDecimal(t.advanced), expected: toDecimal(t.expected), received: toDecimal(t.received) })),
        items,
        unregisteredOverdue: items.filter((i) => i.registration.overdue).length,
        // Financings still owed money in trees marked overdue: what the desk chases first.
        overdue: items.filter((i) => i.status === "OPEN" && i.tree?.overdue === true).length,
      };
    },

    async exposure(financier: string) {
      const [held, pledged, quotes] = await Promise.all([
        ctx.db.receivable.findMany({ where: { holder: financier, status: { not: "BURNED" } }, select: { issuer: true, currency: true, amount: true } }),
        ctx.db.pledgeDebt.findMany({ where: { pledgee: financier, status: "OPEN" }, select: { receivableId: true, owed: true } }),
        ctx.db.financingQuote.findMany({ where: { financier, status: "OPEN" }, select: { receivableId: true, currency: true, amount: true } }),
      ]);
      const ids = [...new Set([...pledged.map((p) => p.receivableId), ...quotes.map((q) => q.receivableId)])];
      const receivables = await ctx.db.receivable.findMany({ where: { id: { in: ids } }, select: { id: true, issuer: true, currency: true } });
      const receivableOf = new Map(receivables.map((r) => [r.id, r]));
      // Per obligor and currency: amounts of different currencies are never added.
      const by = new Map<string, { obligor: string; currency: string; held: bigint; pledged: bigint; quoted: bigint }>();
      const bucket = (obligor: string, currency: string) => {
        const key = `${obligor}:${currency}`;
        let b = by.get(key);
        if (b === undefined) {
          b = { obligor, currency, held: 0n, pledged: 0n, quoted: 0n };
          by.set(key, b);
        }
        return b;
      };
      for (const h of held) bucket(h.issuer, h.currency).held += BigInt(h.amount);
      for (const p of pledged) {
        const r = receivableOf.get(p.receivableId);
        bucket(r?.issuer ?? "unknown", r?.currency ?? "unknown").pledged += BigInt(p.owed);
      }
      for (const q of quotes) bucket(receivableOf.get(q.receivableId)?.issuer ?? "unknown", q.currency).quoted += BigInt(q.amount);
      const grand = new Map<string, bigint>();
      for (const b of by.values()) grand.set(b.currency, (grand.get(b.currency) ?? 0n) + b.held + b.pledged + b.quoted);
      const items = [...by.values()]
        .map((b) => {
          const total = b.held + b.pledged + b.quoted;
          const all = grand.get(b.currency) ?? 0n;
          return {
            obligor: b.obligor,
            currency: b.currency,
            held: toDecimal(b.held),
            pledged: toDecimal(b.pledged),
            quoted: toDecimal(b.quoted),
            total: toDecimal(total),
            sharePpm: all === 0n ? 0 : Number((total * 1_000_000n) / all),
          };
        })
        .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : b.sharePpm - a.sharePpm || (a.obligor < b.obligor ? -1 : 1)));
      const totals = [...grand.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, total]) => ({ currency, total: toDecimal(total) }));
      return { financier, totals, items };
    },
  };
}

export type PortfolioService = ReturnType<typeof createPortfolioService>;
