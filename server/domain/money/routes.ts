/**
 * Money a user can see: the currencies amounts are counted in (`GET /v1/currencies`) and an
 * organisation's settlement-token balances and allowances to the two contracts that pull cash
 * (`GET /v1/balances`), read from the chain at the head (a balance is not an indexed projection); and
 * on a local development chain only, the operator's faucet of test cash (`POST /v1/faucet`).
 */
import { z } from "zod";
import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { Address, AddressOut, PositiveUint256, Uint256Out } from "../../api/schemas";
import { ACCESS_ROLES, type Principal } from "../../auth/principal";
import { ConflictError, ForbiddenError, ValidationError } from "../../lib/appErrors";
import { toDecimal } from "../../lib/encode";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { SettlementToken__factory } from "../../../typechain-types";
import { audit, settle, TxOut } from "../tx";
import type { CurrencyDirectory } from "./currencies";

export const CurrencyOut = z
  .object({
    address: AddressOut,
    symbol: z.string(),
    name: z.string(),
    decimals: z.number().int().meta({ description: "an amount of N base units is N ÷ 10^decimals units of the currency" }),
    allowed: z.boolean().meta({ description: "whether new invoices may be confirmed in it" }),
  })
  .meta({ id: "Currency" });

const BalancesOut = z
  .object({
    address: AddressOut,
    blockNumber: z.number().int().meta({ description: "the block the balances were read at" }),
    items: z.array(
      z.object({
        currency: CurrencyOut,
        balance: Uint256Out,
        allowances: z.object({
          financingSettlement: Uint256Out.meta({ description: "what the financing settlement may pull (a financier's advances)" }),
          repaymentVault: Uint256Out.meta({ description: "what the repayment vault may pull (a core enterprise's deposits, a pledgor's repayment)" }),
        }),
        openQuotesAdvance: Uint256Out.meta({ description: "a financier's open quotes' advances in this currency: what accepting all of them would pull" }),
      }),
    ),
  })
  .meta({ id: "Balances" });

/** Most one faucet call mints: 100,000,000 whole units of a 2-decimal token; enough for any demo, small against uint256. */
const FAUCET_MAX = 10n ** 10n;

export function moneyRoutes(ctx: DomainContext, currencies: CurrencyDirectory, options: { localChain: boolean }): AnyRoute[] {

  function whose(principal: Principal, requested: string | undefined): string {
    if (isPrivileged(principal)) {
      if (requested === undefined) {
        throw new ValidationError("operator and auditor name the organisation", [{ field: "query.address", message: "required for operator and auditor", code: "invalid_type" }]);
      }
      return requested;
    }
    const org = organisationOf(principal) as string;
    if (requested !== undefined && requested !== org) {
      throw new ValidationError("an organisation sees only its own balances", [{ field: "query.address", message: "omit it, or give your own address", code: "custom" }]);
    }
    return org;
  }

  return [
    defineRoute({
      method: "get",
      path: "/v1/currencies",
      operationId: "listCurrencies",
      summary: "The settlement currencies amounts are counted in, with symbol and decimals (amounts stay decimal strings of base units)",
      tags: ["money"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      response: { status: 200, description: "Currencies", schema: z.object({ items: z.array(CurrencyOut) }) },
      handler: async () => ({ items: await currencies.list() }),
    }),
    txRoute({
      path: "/v1/faucet",
      operationId: "faucet",
      summary: "Operator, local development chain only: mint test settlement tokens to an address (403 FaucetNotAvailable on any other network)",
      description:
        "Available only when the node's chain id is 31337 and the deployment record is marked `local` (written by `npm start` for the node it starts). Mints the deployment's own test settlement token.",
      tags: ["money"],
      roles: ["OPERATOR"],
      body: z
        .object({
          to: Address,
          amount: PositiveUint256.refine((v) => v <= FAUCET_MAX, `at most ${FAUCET_MAX} base units per call`),
          currency: Address.optional().meta({ description: "default: the deployment's test settlement token (the only one the faucet mints)" }),
        })
        .meta({ id: "Faucet" }),
      response: { status: 201, description: "Minted (transaction mined)", schema: TxOut.extend({ to: AddressOut, currency: AddressOut, amount: Uint256Out, balance: Uint256Out }) },
      errors: [409],
      handler: async ({ principal, body }) => {
        if (!options.localChain) {
          throw new ForbiddenError("FaucetNotAvailable", "the faucet exists only on a local development chain (chain id 31337 and a deployment record marked local)");
        }
        const testToken = ctx.chain.addresses.currency?.toLowerCase();
        const currency = body.currency ?? testToken;
        if (currency === undefined || currency !== testToken) {
          throw new ConflictError("FaucetCurrencyNotMintable", "the faucet mints only the deployment's test settlement token", { currency: testToken ?? null });
        }
        const sent = await ctx.chain.signers.send("operator", (s) => SettlementToken__factory.connect(currency, s).mint(body.to, body.amount));
        await audit(ctx, { actor: principal.credentialId, action: "faucet.mint", target: body.to, txHash: sent.txHash, detail: { currency, amount: body.amount } });
        const balance = await ctx.chain.erc20(currency).balanceOf(body.to, { blockTag: sent.blockNumber });
        return { ...(await settle(ctx, sent)), to: body.to, currency, amount: toDecimal(body.amount), balance: toDecimal(balance) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/balances",
      operationId: "balances",
      summary: "The caller's settlement-token balances and its allowances to the financing settlement and the repayment vault, per currency (operator and auditor: any organisation's, by `address`)",
      tags: ["money"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: z.object({ address: Address.optional() }),
      response: { status: 200, description: "Balances at the chain head", schema: BalancesOut },
      handler: async ({ principal, query, res }) => {
        const address = whose(principal, query.address);
        const list = await currencies.list();
        const blockNumber = await ctx.chain.provider.getBlockNumber();
        const financing = ctx.chain.addresses.financing;
        const vault = ctx.chain.addresses.vault;
        const open = await ctx.db.financingQuote.findMany({ where: { financier: address, status: "OPEN" }, select: { currency: true, advance: true } });
        const items = await Promise.all(
          list.map(async (currency) => {
            const token = ctx.chain.erc20(currency.address);
            const at = { blockTag: blockNumber };
            const [balance, toFinancing, toVault] = await Promise.all([
              token.balanceOf(address, at),
              financing === undefined ? 0n : token.allowance(address, financing, at),
              vault === undefined ? 0n : token.allowance(address, vault, at),
            ]);
            const committed = open.filter((q) => q.currency === currency.address).reduce((s, q) => s + BigInt(q.advance), 0n);
            return {
              currency,
              balance: toDecimal(balance),
              allowances: { financingSettlement: toDecimal(toFinancing), repaymentVault: toDecimal(toVault) },
              openQuotesAdvance: toDecimal(committed),
            };
          }),
        );
        res.setHeader("Cache-Control", "no-store");
        return { address, blockNumber, items };
      },
    }),
  ];
}
