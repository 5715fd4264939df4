/**
 * The chain's identity and clock as the API sees them. Maturities, deadlines and expiries are judged by
 * the chain's clock (the latest block's timestamp), which can differ from the wall clock — a local
 * chain moved forward in time, a skewed host, a slow block interval — so a client chooses them from
 * `headTimestamp`, never from its own clock, and reads `indexedBlock` to know how fresh the views are.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { ChainUnavailableError } from "../../lib/appErrors";
import type { DomainContext } from "../context";
import { rpcRelayRoute } from "./rpcRelay";

const ChainOut = z
  .object({
    chainId: z.string().meta({ description: "EIP-155 chain id (decimal)" }),
    headBlock: z.number().int().meta({ description: "the latest block the node knows" }),
    headTimestamp: z.number().int().meta({ description: "its timestamp, unix seconds: the chain's clock, by which maturities, deadlines and expiries are judged" }),
    headTime: z.string().meta({ description: "headTimestamp as ISO 8601" }),
    indexedBlock: z.number().int().nullable().meta({ description: "the last block the indexer committed: every read view reflects exactly the chain up to it" }),
    indexedTimestamp: z.number().int().nullable().meta({ description: "its timestamp, unix seconds (null when not known)" }),
    lagBlocks: z.number().int().nullable().meta({ description: "headBlock − indexedBlock" }),
    confirmations: z.number().int().meta({
      description: "the indexer's CONFIRMATIONS: a block is in the read views once headBlock reaches it plus this many (a write's `finalAtBlock`)",
    }),
    wallClock: z.number().int().meta({ description: "this server's wall clock, unix seconds" }),
    chainAheadSeconds: z.number().int().meta({ description: "headTimestamp − wallClock: how far the chain's clock runs ahead of the wall clock (negative: behind)" }),
  })
  .meta({ id: "Chain" });

export function chainRoutes(ctx: DomainContext): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/chain",
      operationId: "chain",
      summary: "The chain: its id, head block and the chain's clock (head timestamp), and the block the read views are indexed to",
      description:
        "Choose maturities, deadlines and expiries from `headTimestamp` (the chain's clock), not from the wall clock: they can differ (`chainAheadSeconds`), and the contracts judge by the chain's.",
      tags: ["system"],
      access: { kind: "public" },
      response: { status: 200, description: "The chain as the API sees it", schema: ChainOut },
      errors: [503],
      handler: async ({ res }) => {
        let head;
        try {
          head = await ctx.chain.provider.getBlock("latest");
        } catch (err) {
          throw new ChainUnavailableError("the chain node does not answer", err);
        }
        if (head === null) throw new ChainUnavailableError("the chain node has no latest block");
        const { checkpoint: indexedBlock, confirmations } = await ctx.reads.finality();
        const indexed = indexedBlock === null ? null : await ctx.db.indexedBlock.findUnique({ where: { number: BigInt(indexedBlock) }, select: { timestamp: true } });
        const wallClock = Math.floor(Date.now() / 1000);
        res.setHeader("Cache-Control", "no-store");
        return {
          chainId: ctx.chain.chainId.toString(),
          headBlock: head.number,
          headTimestamp: head.timestamp,
          headTime: new Date(head.timestamp * 1000).toISOString(),
          indexedBlock,
          indexedTimestamp: indexed === null ? null : Number(indexed.timestamp),
          lagBlocks: indexedBlock === null ? null : Math.max(0, head.number - indexedBlock),
          confirmations,
          wallClock,
          chainAheadSeconds: head.timestamp - wallClock,
        };
      },
    }),
    rpcRelayRoute(ctx),
  ];
}
