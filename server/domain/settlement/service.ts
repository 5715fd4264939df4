/**
 * Settlement: the core enterprise deposits repayment for a maturity (pulled from its allowance to the
 * repayment vault, which the server tops up first if needed), holders redeem matured receivables, a
 * pledgor repays its pledge early, and a payee withdraws what a currency once refused to deliver to it.
 */
import { AbiCoder, keccak256 } from "ethers";
import type { Principal } from "../../auth/principal";
import { ChainUnavailableError, ConflictError, ForbiddenError } from "../../lib/appErrors";
import { toDecimal } from "../../lib/encode";
import { requireEvent } from "../../lib/receipt";
import { organisationOf } from "../access";
import type { DomainContext } from "../context";
import type { ReceivableService } from "../receivables/service";
import { audit, settle } from "../tx";

/** The vault's pool id: keccak256(abi.encode(issuer, currency, maturity)) (RepaymentVault.poolId). */
function poolIdOf(issuer: string, currency: string, maturity: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address", "uint64"], [issuer, currency, maturity]));
}

export function createSettlementService(ctx: DomainContext, deps: { receivables: ReceivableService }) {
  const { receivables } = deps;
  function vault() {
    const v = ctx.chain.vault;
    if (v === undefined) throw new ChainUnavailableError("the repayment vault is not configured");
    return v;
  }

  /** Makes sure `owner`'s allowance to the vault covers `amount`, approving exactly what is missing. */
  async function ensureAllowance(owner: string, currency: string, amount: bigint) {
    const token = ctx.chain.erc20(currency);
    const spender = await vault().getAddress();
    const allowance = await token.allowance(owner, spender);
    if (allowance < amount) await ctx.chain.signers.send(owner, (s) => token.connect(s).approve(spender, amount));
  }

  return {
    async deposit(principal: Principal, input: { currency: string; maturity: number; amount: bigint }) {
      const core = organisationOf(principal) as string;
      await ensureAllowance(core, input.currency, input.amount);
      const sent = await ctx.chain.signers.send(core, (s) => vault().connect(s).deposit(input.currency, BigInt(input.maturity), input.amount));
      await audit(ctx, { actor: core, action: "settlement.deposit", txHash: sent.txHash, detail: input });
      return settle(ctx, sent);
    },

    /**
     * The core enterprise's repayment pools: face, deposited, due — one per (currency, maturity) it has
     * confirmed receivables for, listed from the first confirmation on, before any deposit (the vault
     * records a pool only when money arrives; what is owed is known from the confirmations). A pool with
     * money in it is closed: the ledger refuses any further confirmation into it.
     */
    async pools(principal: Principal) {
      const core = organisationOf(principal) as string;
      const [roots, deposits] = await Promise.all([
        ctx.db.receivableRoot.findMany({ where: { issuer: core }, select: { currency: true, maturity: true, faceAmount: true } }),
        ctx.db.repaymentPool.findMany({ where: { issuer: core } }),
      ]);
      // Face summed exactly in bigint (the column is text), as the ledger's issuedFace counts it.
      const issued = new Map<string, { currency: string; maturity: bigint; face: bigint }>();
      for (const r of roots) {
        const k = `${r.currency}:${r.maturity}`;
        const entry = issued.get(k) ?? { currency: r.currency, maturity: r.maturity, face: 0n };
        entry.face += BigInt(r.faceAmount);
        issued.set(k, entry);
      }
      const depositOf = new Map(deposits.map((p) => [`${p.currency}:${p.maturity}`, p]));
      const pools = [...issued.entries()].map(([k, g]) => {
        const pool = depositOf.get(k);
        const face = g.face;
        const deposited = BigInt(pool?.deposited ?? "0");
        return {
          poolId: pool?.poolId ?? poolIdOf(core, g.currency, g.maturity),
          currency: g.currency,
          maturity: Number(g.maturity),
          face: toDecimal(face),
          deposited: toDecimal(deposited),
          due: toDecimal(face > deposited ? face - deposited : 0n),
          overdue: (pool?.overdueMarked ?? false) && !(pool?.cured ?? false),
          cured: pool?.cured ?? false,
          // The ledger closes a pool to confirmations at its first deposit (issue 8, F9).
          closed: deposited > 0n,
        };
      });
      pools.sort((a, b) => a.maturity - b.maturity || (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
      return { items: pools };
    },

    /** The caller's credited balances (the vault's `PaymentCredited`, less what was withdrawn). */
    async credits(principal: Principal) {
      const payee = organisationOf(principal) as string;
      const rows = await ctx.db.paymentCredit.findMany({ where: { payee }, orderBy: { currency: "asc" } });
      return { items: rows.filter((r) => r.balance !== "0").map((r) => ({ currency: r.currency, balance: r.balance })) };
    },

    /** Withdraws the caller's whole balance in `currency`; the chain's figure is what counts. */
    async withdraw(principal: Principal, currency: string) {
      const payee = organisationOf(principal) as string;
      const amount = await vault().creditOf(payee, currency);
      if (amount === 0n) throw new ConflictError("VaultNothingToWithdraw", "nothing is credited to you in that currency", { currency });
      const sent = await ctx.chain.signers.send(payee, (s) => vault().connect(s).withdraw(currency));
      await audit(ctx, { actor: payee, action: "settlement.withdraw", target: currency, txHash: sent.txHash, detail: { amount } });
      return { ...(await settle(ctx, sent)), amount: amount.toString() };
    },

    async redeem(principal: Principal, id: bigint) {
      const view = await receivables.get(principal, id);
      const org = organisationOf(principal) as string;
      // The holder or the pledgee may claim (the vault pays the pledgee first either way).
      if (view.holder !== org && view.pledgee !== org) throw new ForbiddenError("NotHolder", "only the holder or the pledgee may redeem");
      const sent = await ctx.chain.signers.send(org, (s) => vault().connect(s).redeem(id));
      const redeemed = requireEvent(vault(), sent.receipt.logs, "ReceivableRedeemed");
      await audit(ctx, { actor: org, action: "settlement.redeem", target: id.toString(), txHash: sent.txHash });
      return {
        ...(await settle(ctx, sent)),
        currency: view.currency,
        toHolder: redeemed.toHolder.toString(),
        toPledgee: redeemed.toPledgee.toString(),
      };
    },

    /**
     * Anyone with a stake in the tree (holder, pledgee, issuer) marks it overdue once maturity plus the
     * grace period has passed unpaid; the vault checks the conditions. Sent with the caller's key.
     */
    async markOverdue(principal: Principal, id: bigint) {
      const view = await receivables.get(principal, id);
      const org = organisationOf(principal) as string;
      const sent = await ctx.chain.signers.send(org, (s) => vault().connect(s).markOverdue(BigInt(view.rootId)));
      await audit(ctx, { actor: org, action: "settlement.markOverdue", target: view.rootId, txHash: sent.txHash });
      return settle(ctx, sent);
    },

    async repayPledge(principal: Principal, id: bigint) {
      const view = await receivables.get(principal, id);
      const org = organisationOf(principal) as string;
      if (view.holder !== org) throw new ForbiddenError("NotHolder", "only the holder repays its pledge");
      const [, , owed] = await vault().claimOf(id);
      await ensureAllowance(org, view.currency, owed);
      const sent = await ctx.chain.signers.send(org, (s) => vault().connect(s).repayPledge(id));
      await audit(ctx, { actor: org, action: "settlement.repayPledge", target: id.toString(), txHash: sent.txHash, detail: { owed } });
      return { ...(await settle(ctx, sent)), currency: view.currency, repaid: owed.toString() };
    },
  };
}

export type SettlementService = ReturnType<typeof createSettlementService>;
