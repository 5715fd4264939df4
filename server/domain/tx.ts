/**
 * The answer of every write that sends a transaction: it is given once the transaction is mined, with
 * its hash and block; `indexed` says whether the indexer had committed that block when we answered, and
 * `finalAtBlock` the chain head at which it will (see ./finality.ts).
 */
import { z } from "zod";
import { currentPrincipal } from "../auth/actor";
import type { SentTransaction } from "../signing/signers";
import type { DomainContext } from "./context";
import { finalityOf } from "./finality";

export const TxOut = z
  .object({
    txHash: z.string().meta({ description: "hash of the mined transaction" }),
    blockNumber: z.number().int(),
    indexed: z.boolean().meta({ description: "whether the read views already include this block" }),
    finalAtBlock: z.number().int().meta({
      description:
        "the chain head at which the read views include this block (blockNumber + the indexer's CONFIRMATIONS). Until `indexed`, an id this write created answers 409 NotYetFinal to its parties",
    }),
  })
  .meta({ id: "Transaction" });

export type TxResult = z.infer<typeof TxOut>;

export async function settle(ctx: DomainContext, sent: SentTransaction): Promise<TxResult> {
  return { txHash: sent.txHash, blockNumber: sent.blockNumber, ...(await finalityOf(ctx, sent.blockNumber)) };
}

/**
 * Records a write in the audit log (never a secret: actor is an address or role, detail is public data).
 * The user who took the step is the request's acting user (auth/actor.ts); a write sent for an approved
 * prepared action also names the action, its maker and its checker in `detail`.
 */
export async function audit(
  ctx: DomainContext,
  entry: { actor: string; action: string; target?: string; txHash?: string; detail?: Record<string, unknown> },
): Promise<void> {
  const principal = currentPrincipal();
  const userId = principal?.kind === "ORGANISATION" ? principal.user.id : null;
  const approval = principal?.kind === "ORGANISATION" ? principal.approval : undefined;
  const detail = approval === undefined ? entry.detail : { ...entry.detail, approval };
  await ctx.db.auditLog.create({
    data: {
      atMs: BigInt(ctx.now().getTime()),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      txHash: entry.txHash ?? null,
      detail: detail === undefined ? null : JSON.stringify(detail, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      userId,
    },
  });
}
