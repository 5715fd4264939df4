/**
 * Organisations and issuance limits: the operator registers, suspends and reactivates organisations on
 * chain and sets each core enterprise's issuance limit (no one else can). Reads come from the indexer's
 * projections.
 */
import type { Principal } from "../../auth/principal";
import { NotFoundError } from "../../lib/appErrors";
import { compareDecimal, toDecimal } from "../../lib/encode";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { audit, settle, type TxResult } from "../tx";
import type { DirectoryNames, ProfileService } from "./profiles";

const ROLE_NUMBER = { CORE_ENTERPRISE: 1, SUPPLIER: 2, FINANCIER: 3 } as const;

export function createOrganisationService(ctx: DomainContext, deps: { profiles: ProfileService }) {
  type Row = { address: string; role: string; active: boolean; kycHash: string };
  const view = (principal: Principal, row: Row, names: Map<string, DirectoryNames>) => {
    const named = names.get(row.address);
    return {
      address: row.address,
      name: named?.name ?? null,
      nameEn: named?.nameEn ?? null,
      creditCode: named?.creditCode ?? null,
      role: row.role as keyof typeof ROLE_NUMBER,
      status: row.active ? ("ACTIVE" as const) : ("SUSPENDED" as const),
      active: row.active,
      kycHash: isPrivileged(principal) ? row.kycHash : null,
    };
  };

  return {
    /**
     * The directory: every registered organisation with its name, role, code and status. Public to every
     * member (counterparties must be findable to transfer to them); never contact details or bank accounts.
     */
    async list(principal: Principal, filter: { role?: keyof typeof ROLE_NUMBER | undefined; q?: string | undefined }) {
      const matching = filter.q === undefined ? undefined : await deps.profiles.search(filter.q);
      const rows = await ctx.db.organisation.findMany({
        where: { ...(filter.role === undefined ? {} : { role: filter.role }), ...(matching === undefined ? {} : { address: { in: matching } }) },
        orderBy: { address: "asc" },
      });
      const names = await deps.profiles.names(rows.map((r) => r.address));
      return { items: rows.map((r) => view(principal, r, names)) };
    },

    async get(principal: Principal, address: string) {
      const row = await ctx.db.organisation.findUnique({ where: { address } });
      if (row === null) throw new NotFoundError("organisation", address);
      return view(principal, row, await deps.profiles.names([address]));
    },

    async register(principal: Principal, input: { address: string; role: keyof typeof ROLE_NUMBER; kycHash: string }): Promise<TxResult> {
      const sent = await ctx.chain.signers.send("operator", (s) =>
        ctx.chain.ledger.connect(s).registerOrganisation(input.address, ROLE_NUMBER[input.role], input.kycHash),
      );
      await audit(ctx, { actor: principal.credentialId, action: "organisation.register", target: input.address, txHash: sent.txHash, detail: { role: input.role } });
      return settle(ctx, sent);
    },

    async setActive(principal: Principal, address: string, active: boolean): Promise<TxResult> {
      const sent = await ctx.chain.signers.send("operator", (s) =>
        active ? ctx.chain.ledger.connect(s).reactivateOrganisation(address) : ctx.chain.ledger.connect(s).suspendOrganisation(address),
      );
      await audit(ctx, { actor: principal.credentialId, action: active ? "organisation.reactivate" : "organisation.suspend", target: address, txHash: sent.txHash });
      return settle(ctx, sent);
    },

    /** The operator alone: the route admits no one else, and the ledger would refuse anyone else. */
    async setIssuanceLimit(principal: Principal, coreEnterprise: string, limit: bigint): Promise<TxResult> {
      const sent = await ctx.chain.signers.send("operator", (s) => ctx.chain.ledger.connect(s).setIssuanceLimit(coreEnterprise, limit));
      await audit(ctx, { actor: principal.credentialId, action: "issuanceLimit.set", target: coreEnterprise, txHash: sent.txHash, detail: { limit } });
      return settle(ctx, sent);
    },

    /** Issuance limit, issued face and upcoming maturities: for the core enterprise itself, financiers, operator and auditors. */
    async issuanceLimit(principal: Principal, coreEnterprise: string) {
      const org = organisationOf(principal);
      const allowed = isPrivileged(principal) || org === coreEnterprise || (principal.kind === "ORGANISATION" && principal.role === "FINANCIER");
      const organisation = await ctx.db.organisation.findUnique({ where: { address: coreEnterprise } });
      if (!allowed || organisation === null || organisation.role !== "CORE_ENTERPRISE") throw new NotFoundError("issuance limit", coreEnterprise);
      const line = await ctx.db.issuanceLimit.findUnique({ where: { coreEnterprise } });
      const limit = BigInt(line?.issuanceLimit ?? "0");
      const issued = BigInt(line?.issued ?? "0");
      const live = await ctx.db.receivable.findMany({
        where: { issuer: coreEnterprise, status: { not: "BURNED" }, maturity: { gte: BigInt(Math.floor(ctx.now().getTime() / 1000)) } },
        select: { maturity: true, currency: true, amount: true },
      });
      const byMaturity = new Map<string, { maturity: number; currency: string; outstanding: bigint }>();
      for (const r of live) {
        const key = `${r.maturity}:${r.currency}`;
        const entry = byMaturity.get(key) ?? { maturity: Number(r.maturity), currency: r.currency, outstanding: 0n };
        entry.outstanding += BigInt(r.amount);
        byMaturity.set(key, entry);
      }
      const upcomingMaturities = [...byMaturity.values()]
        .sort((a, b) => a.maturity - b.maturity || compareDecimal(a.currency, b.currency))
        .map((m) => ({ maturity: m.maturity, currency: m.currency, outstanding: toDecimal(m.outstanding) }));
      return {
        coreEnterprise,
        limit: toDecimal(limit),
        issued: toDecimal(issued),
        available: toDecimal(limit > issued ? limit - issued : 0n),
        upcomingMaturities,
      };
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
