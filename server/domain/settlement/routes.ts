import { z } from "zod";
import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { Address, AddressOut, PositiveUint256, ReceivableIdParams, Uint256Out } from "../../api/schemas";
import { TxOut } from "../tx";
import type { SettlementService } from "./service";

export function settlementRoutes(service: SettlementService): AnyRoute[] {
  return [
    txRoute({
      path: "/v1/settlement/deposits",
      operationId: "depositRepayment",
      summary: "Core enterprise: deposit repayment for its receivables of one maturity (restores its issuance limit)",
      tags: ["settlement"],
      roles: ["CORE_ENTERPRISE"],
      body: z.object({ currency: Address, maturity: z.number().int().positive(), amount: PositiveUint256 }).meta({ id: "Deposit" }),
      response: { status: 201, description: "Deposited (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, body }) => service.deposit(principal, body),
    }),
    defineRoute({
      method: "get",
      path: "/v1/settlement/pools",
      operationId: "repaymentPools",
      summary: "Core enterprise: its repayment pools by maturity (face, deposited, due)",
      tags: ["settlement"],
      access: { kind: "authenticated", roles: ["CORE_ENTERPRISE"] },
      response: {
        status: 200,
        description: "Pools",
        schema: z.object({
          items: z.array(
            z.object({
              poolId: z.string(),
              currency: AddressOut,
              maturity: z.number().int(),
              face: Uint256Out,
              deposited: Uint256Out,
              due: Uint256Out,
              overdue: z.boolean().meta({ description: "a tree of the pool was marked overdue and the pool is not paid in full" }),
              cured: z.boolean().meta({ description: "a tree of the pool was marked overdue and a later deposit paid the pool in full" }),
              closed: z.boolean().meta({
                description: "money was deposited into the pool: nothing more can be confirmed into this maturity (the ledger refuses with 409 ReceivablePoolClosed); confirm into another maturity",
              }),
            }),
          ),
        }),
      },
      handler: async ({ principal }) => service.pools(principal),
    }),
    defineRoute({
      method: "get",
      path: "/v1/settlement/credits",
      operationId: "paymentCredits",
      summary: "The caller's withdrawable balances: payments the currency refused to deliver to it (a blocklist, say), kept by the vault",
      tags: ["settlement"],
      access: { kind: "authenticated", roles: ["SUPPLIER", "FINANCIER", "CORE_ENTERPRISE"] },
      response: {
        status: 200,
        description: "Balances by currency (non-zero only)",
        schema: z.object({ items: z.array(z.object({ currency: AddressOut, balance: Uint256Out })) }).meta({ id: "PaymentCredits" }),
      },
      handler: async ({ principal }) => service.credits(principal),
    }),
    txRoute({
      path: "/v1/settlement/withdrawals",
      operationId: "withdrawPaymentCredit",
      summary: "Withdraw the caller's whole credited balance in one currency",
      tags: ["settlement"],
      roles: ["SUPPLIER", "FINANCIER", "CORE_ENTERPRISE"],
      body: z.object({ currency: Address }).meta({ id: "Withdrawal" }),
      response: { status: 200, description: "Withdrawn (transaction mined)", schema: TxOut.extend({ amount: Uint256Out }) },
      errors: [409],
      handler: async ({ principal, body }) => service.withdraw(principal, body.currency),
    }),
    txRoute({
      path: "/v1/receivables/{id}/redeem",
      operationId: "redeemReceivable",
      summary: "Holder (or pledgee): redeem a matured receivable for what its pool's funding covers",
      tags: ["settlement"],
      roles: ["SUPPLIER", "FINANCIER"],
      params: ReceivableIdParams,
      response: { status: 200, description: "Redeemed (transaction mined)", schema: TxOut.extend({ currency: AddressOut, toHolder: Uint256Out, toPledgee: Uint256Out }) },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.redeem(principal, params.id),
    }),
    txRoute({
      path: "/v1/receivables/{id}/mark-overdue",
      operationId: "markOverdue",
      summary: "Mark the receivable's whole tree overdue (after maturity plus the grace period, if its pool is not fully funded)",
      tags: ["settlement"],
      roles: ["SUPPLIER", "FINANCIER", "CORE_ENTERPRISE"],
      params: ReceivableIdParams,
      response: { status: 200, description: "Marked (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.markOverdue(principal, params.id),
    }),
    txRoute({
      path: "/v1/receivables/{id}/repay-pledge",
      operationId: "repayPledge",
      summary: "Holder: repay what it owes its pledgee; the pledge is released",
      tags: ["settlement"],
      roles: ["SUPPLIER", "FINANCIER"],
      params: ReceivableIdParams,
      response: { status: 200, description: "Repaid (transaction mined)", schema: TxOut.extend({ currency: AddressOut, repaid: Uint256Out }) },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.repayPledge(principal, params.id),
    }),
  ];
}
