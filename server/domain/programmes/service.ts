// Risk-sharing programmes as their participants see them (issue 13 item 8): each programme's pool —
// committed, paid in, reserved, subsidies paid, compensation paid, recovered, available — and every
// position in it, per funder, per financier and per enterprise, plus the enrolled financings, from the
// indexer's projections. Reads only; it must never show a programme to an organisation that takes no
// part in it (funder, participating financier, whitelisted enterprise, or party to one of its
// enrolments); the operator and the auditor see every programme.
import type { Principal } from "../../auth/principal";
import { numOrNull } from "../../db/codec";
import { NotFoundError } from "../../lib/appErrors";
import type { DomainContext } from "../context";

type Amount = string;
const sum = (values: Iterable<string>): Amount => {
  let total = 0n;
  for (const v of values) total += BigInt(v);
  return total.toString();
};

export function createProgrammeService(ctx: DomainContext) {
  /** The programme ids `principal` takes part in (undefined: all, for the operator and the auditor). */
  async function visibleIds(principal: Principal): Promise<Set<string> | undefined> {
    if (principal.kind !== "ORGANISATION") return undefined;
    const org = principal.organisation;
    const [positions, enrolments] = await Promise.all([
      ctx.db.riskPosition.findMany({ where: { party: org }, select: { programmeId: true } }),
      ctx.db.riskEnrolment.findMany({ where: { OR: [{ financier: org }, { supplier: org }] }, select: { programmeId: true } }),
    ]);
    return new Set([...positions, ...enrolments].map((r) => r.programmeId));
  }

  async function visibleProgramme(principal: Principal, id: string) {
    const ids = await visibleIds(principal);
    const programme = ids === undefined || ids.has(id) ? await ctx.db.riskProgramme.findUnique({ where: { id } }) : null;
    // Not a participant reads exactly like "no such programme": its existence is the participants' business.
    if (programme === null) throw new NotFoundError("programme", id);
    return programme;
  }

  function summary(p: Awaited<ReturnType<typeof ctx.db.riskProgramme.findUnique>> & object, committed: Amount) {
    return {
      id: p.id,
      admin: p.admin,
      currency: p.currency,
      version: p.version,
      terms: {
        coverageBps: p.coverageBps ?? 0,
        subsidyBps: p.subsidyBps ?? 0,
        subsidyToFinancier: p.subsidyToFinancier,
        capPerFinancing: p.capPerFinancing ?? "0",
        capPerEnterprise: p.capPerEnterprise ?? "0",
        capPerFinancier: p.capPerFinancier ?? "0",
        waitingPeriod: p.waitingPeriod ?? 0,
        claimWindow: p.claimWindow ?? 0,
      },
      committed,
      paidIn: p.paidIn,
      reserved: p.reserved,
      subsidiesPaid: p.subsidiesPaid,
      compensationPaid: p.compensationPaid,
      recovered: p.recovered,
      balance: p.balance,
      available: (BigInt(p.balance) - BigInt(p.reserved)).toString(),
    };
  }

  async function committedOf(programmeIds: string[]): Promise<Map<string, Amount>> {
    const funders = await ctx.db.riskPosition.findMany({ where: { programmeId: { in: programmeIds }, kind: "FUNDER" }, select: { programmeId: true, committed: true } });
    const out = new Map<string, Amount>();
    for (const f of funders) out.set(f.programmeId, sum([out.get(f.programmeId) ?? "0", f.committed]));
    return out;
  }

  return {
    async list(principal: Principal) {
      const ids = await visibleIds(principal);
      const rows = await ctx.db.riskProgramme.findMany({ where: ids === undefined ? {} : { id: { in: [...ids] } } });
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
      const committed = await committedOf(rows.map((r) => r.id));
      return { items: rows.map((r) => summary(r, committed.get(r.id) ?? "0")) };
    },

    /** The pool and every position: per funder, per financier, per enterprise. */
    async position(principal: Principal, id: string) {
      const p = await visibleProgramme(principal, id);
      const [parties, enrolments] = await Promise.all([
        ctx.db.riskPosition.findMany({ where: { programmeId: id } }),
        ctx.db.riskEnrolment.findMany({ where: { programmeId: id } }),
      ]);
      const open = enrolments.filter((e) => e.status === "ENROLLED");
      const of = (field: "financier" | "supplier", who: string) => enrolments.filter((e) => e[field] === who);
      const partyOf = (kind: string) => parties.filter((r) => r.kind === kind).sort((a, b) => a.party.localeCompare(b.party));
      const financierSet = new Set([...partyOf("FINANCIER").map((r) => r.party), ...enrolments.map((e) => e.financier)]);
      const enterpriseSet = new Set([...partyOf("ENTERPRISE").map((r) => r.party), ...enrolments.map((e) => e.supplier)]);
      const funders = partyOf("FUNDER").map((f) => ({ funder: f.party, committed: f.committed, paidIn: f.paidIn }));
      const financiers = [...financierSet].sort().map((who) => {
        const row = parties.find((r) => r.kind === "FINANCIER" && r.party === who);
        const mine = of("financier", who);
        return {
          financier: who,
          quota: row?.quota ?? "0",
          enrolled: sum(mine.map((e) => e.advance)),
          reserved: sum(open.filter((e) => e.financier === who).map((e) => e.coverage)),
          compensationReceived: sum(mine.map((e) => e.compensation)),
          recoveredToPool: sum(mine.map((e) => e.poolShare)),
          subsidiesReceived: sum(mine.filter((e) => e.subsidyRecipient === who).map((e) => e.subsidyPaid)),
        };
      });
      const enterprises = [...enterpriseSet].sort().map((who) => {
        const row = parties.find((r) => r.kind === "ENTERPRISE" && r.party === who);
        const mine = of("supplier", who);
        return {
          enterprise: who,
          validFrom: numOrNull(row?.validFrom),
          validUntil: numOrNull(row?.validUntil),
          certificateHash: row?.certificateHash ?? null,
          enrolled: sum(mine.map((e) => e.advance)),
          reserved: sum(open.filter((e) => e.supplier === who).map((e) => e.coverage)),
          subsidiesReceived: sum(mine.filter((e) => e.subsidyRecipient === who).map((e) => e.subsidyPaid)),
        };
      });
      return { ...summary(p, sum(funders.map((f) => f.committed))), funders, financiers, enterprises };
    },

    /** The enrolled financings, with the struct `paySubsidy`, `claim` and `shareRecovery` take back. */
    async enrolments(principal: Principal, id: string) {
      await visibleProgramme(principal, id);
      const rows = await ctx.db.riskEnrolment.findMany({ where: { programmeId: id } });
      rows.sort((a, b) => Number(a.enrolledAt - b.enrolledAt) || a.financedId.localeCompare(b.financedId));
      return rows.map((e) => ({
        financedId: e.financedId,
        programmeId: e.programmeId,
        version: e.version,
        financier: e.financier,
        supplier: e.supplier,
        obligor: e.obligor,
        mode: e.mode,
        amount: e.amount,
        advance: e.advance,
        repayment: e.repayment,
        maturity: Number(e.maturity),
        enrolledAt: Number(e.enrolledAt),
        coverage: e.coverage,
        subsidy: e.subsidy,
        subsidyRecipient: e.subsidyRecipient,
        status: e.status,
        subsidyPaid: e.subsidyPaid,
        loss: e.loss,
        compensation: e.compensation,
        recovered: e.recovered,
        poolShare: e.poolShare,
        txHash: e.txHash,
        enrolment: JSON.parse(e.enrolment) as Record<string, string>,
      }));
    },
  };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
