/**
 * The settlement tokens amounts are counted in. Every amount the API serves is a decimal string of base
 * units next to the address of its currency; this directory gives each currency's symbol, name and
 * decimals (read from the token contract once: ERC-20 metadata does not change) so a client can format
 * the amount. Which currencies exist is the operator's choice on chain (`CurrencyAllowed`, indexed).
 */
import { IERC20Metadata__factory } from "../../../typechain-types";
import type { DomainContext } from "../context";

export interface CurrencyInfo {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
  /** Whether new invoices may be confirmed in it (the operator's on-chain list). */
  allowed: boolean;
}

type Metadata = Omit<CurrencyInfo, "allowed" | "address">;

export function createCurrencyDirectory(ctx: DomainContext) {
  // Metadata never changes: read once per token by the one directory `createDomain` builds.
  const known = new Map<string, Promise<Metadata>>();

  function metadata(address: string): Promise<Metadata> {
    let entry = known.get(address);
    if (entry === undefined) {
      const token = IERC20Metadata__factory.connect(address, ctx.chain.provider);
      entry = Promise.all([token.symbol(), token.name(), token.decimals()]).then(([symbol, name, decimals]) => ({ symbol, name, decimals: Number(decimals) }));
      // A failed read (node down, not a token) is not remembered: the next request asks again.
      entry.catch(() => known.delete(address));
      known.set(address, entry);
    }
    return entry;
  }

  return {
    /** Every currency the ledger has seen allowed (allowed now or not), ordered by address. */
    async list(): Promise<CurrencyInfo[]> {
      const rows = await ctx.db.currency.findMany({ orderBy: { address: "asc" } });
      return Promise.all(rows.map(async (r) => ({ address: r.address, ...(await metadata(r.address)), allowed: r.allowed })));
    },

    async get(address: string): Promise<CurrencyInfo | undefined> {
      const row = await ctx.db.currency.findUnique({ where: { address } });
      return row === null ? undefined : { address: row.address, ...(await metadata(row.address)), allowed: row.allowed };
    },
  };
}

export type CurrencyDirectory = ReturnType<typeof createCurrencyDirectory>;
