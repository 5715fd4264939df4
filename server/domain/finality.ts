/**
 * When a write's effects reach the read views (issue 14 item 4). The indexer stays CONFIRMATIONS blocks
 * behind the chain's head, so a block mined at B is indexed once the head reaches B + CONFIRMATIONS
 * (`finalAtBlock`). Until then the write's answer says `indexed: false` with that block, and an id it
 * created answers `409 NotYetFinal` naming the block it waits for — to its parties; to anyone else it is
 * "not found", as any id they may not see.
 *
 * On a chain that makes blocks only for transactions (anvil's automine, Besu with empty blocks off) a
 * block waits for later traffic to gain its confirmations; BFT consortium chains (QBFT, IBFT 2.0) are
 * final at once and should run with CONFIRMATIONS=0 (docs/indexer.md).
 */
import { ZeroHash, getAddress, toBeHex, zeroPadValue, type Log } from "ethers";
import type { Principal } from "../auth/principal";
import { ConflictError } from "../lib/appErrors";
import { isPrivileged, organisationOf } from "./access";
import type { DomainContext } from "./context";

export class NotYetFinalError extends ConflictError {
  constructor(what: string, id: string, blockNumber: number, finalAtBlock: number, indexedBlock: number) {
    super(
      "NotYetFinal",
      `${what} ${id} was created in block ${blockNumber}, which the read views include once the chain reaches block ${finalAtBlock} (indexed to ${indexedBlock}); retry then`,
      { id, blockNumber, finalAtBlock, indexedBlock },
    );
  }
}

const topicOf = (address: string) => zeroPadValue(getAddress(address), 32).toLowerCase();

/** The chain head's number, or undefined when the node does not answer (the caller then assumes "not yet"). */
async function headNumber(ctx: DomainContext): Promise<number | undefined> {
  try {
    return (await ctx.chain.latestBlock())?.number;
  } catch {
    return undefined;
  }
}

/**
 * Past this many unindexed blocks the indexer is catching up (a backfill), not waiting for confirmations:
 * "not found" stands, and a request for an unknown id never makes the node scan a long range.
 */
const MAX_UNINDEXED_SCAN = 1_000;

/** The first ledger log since the indexed block that matches `topics`; undefined when none or the node does not answer. */
async function firstUnindexedLog(ctx: DomainContext, checkpoint: number, topics: (string | null)[]): Promise<Log | undefined> {
  try {
    const head = await headNumber(ctx);
    if (head === undefined || head <= checkpoint || head - checkpoint > MAX_UNINDEXED_SCAN) return undefined;
    const [log] = await ctx.chain.provider.getLogs({ address: ctx.chain.addresses.ledger, fromBlock: checkpoint + 1, toBlock: head, topics });
    return log;
  } catch {
    return undefined; // the node does not answer: "not found" is what the read views say
  }
}

/**
 * The block at which a write mined in `blockNumber` is indexed, and whether it is (waiting for the indexer
 * only once the chain has reached that block: before then nothing can make it so, and the caller is told
 * at once instead of after a timeout).
 */
export async function finalityOf(ctx: DomainContext, blockNumber: number): Promise<{ indexed: boolean; finalAtBlock: number }> {
  const { confirmations } = await ctx.reads.finality();
  const finalAtBlock = blockNumber + confirmations;
  const reached = confirmations === 0 || ((await headNumber(ctx)) ?? -1) >= finalAtBlock;
  return { indexed: reached ? await ctx.waitForIndexed(blockNumber) : false, finalAtBlock };
}

/**
 * Throws NotYetFinal when receivable `id`, missing from the read views, was minted in a block the indexer
 * has not reached and `principal` is one of that transaction's parties (its sender, or an address any of
 * its events names: supplier, debtor, holder, offer receiver, financier). Returns otherwise (the caller
 * answers "not found").
 */
export async function assertReceivableNotPending(ctx: DomainContext, principal: Principal, id: bigint): Promise<void> {
  const { checkpoint, confirmations } = await ctx.reads.finality();
  if (checkpoint === null) return;
  // The ERC-721 Transfer of its mint: from the zero address, the id its third indexed field.
  const transfer = ctx.chain.ledger.interface.getEvent("Transfer").topicHash;
  const mint = await firstUnindexedLog(ctx, checkpoint, [transfer, ZeroHash, null, zeroPadValue(toBeHex(id), 32)]);
  if (mint === undefined) return;
  if (!isPrivileged(principal)) {
    const org = organisationOf(principal);
    if (org === undefined) return;
    const receipt = await ctx.chain.provider.getTransactionReceipt(mint.transactionHash).catch(() => null);
    if (receipt === null) return;
    const named = receipt.from.toLowerCase() === org || receipt.logs.some((l) => l.topics.some((t) => t.toLowerCase() === topicOf(org)));
    if (!named) return;
  }
  throw new NotYetFinalError("receivable", id.toString(), mint.blockNumber, mint.blockNumber + confirmations, checkpoint);
}

/**
 * Throws NotYetFinal when `supplier`'s registration of `invoiceHash` is on chain in a block the read views
 * do not include yet. The caller has already shown it is a party (the API's own record of the
 * registration names it), so nothing leaks.
 */
export async function assertInvoiceNotPending(ctx: DomainContext, invoiceHash: string, supplier: string): Promise<void> {
  const { checkpoint, confirmations } = await ctx.reads.finality();
  if (checkpoint === null) return;
  const registered = ctx.chain.ledger.interface.getEvent("InvoiceRegistered").topicHash;
  const log = await firstUnindexedLog(ctx, checkpoint, [registered, invoiceHash, topicOf(supplier)]);
  if (log !== undefined) throw new NotYetFinalError("invoice", invoiceHash, log.blockNumber, log.blockNumber + confirmations, checkpoint);
}
