/**
 * The operator's administration of the ledger: pause and unpause, allowed currencies, ledger parameters
 * (and the execution of a change the timelock held). Everyone reads the ledger's state.
 */
import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { TxOut } from "../tx";
import { CurrencyParams, ExecuteChangeBody, LedgerChangeOut, LedgerStatusOut, SetCurrencyBody, SetLedgerParametersBody } from "./schemas";
import type { LedgerAdminService } from "./service";

export function ledgerRoutes(service: LedgerAdminService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/ledger",
      operationId: "getLedgerStatus",
      summary: "The ledger's state: paused or running, its parameters, and who administers currencies and parameters",
      tags: ["ledger"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      response: { status: 200, description: "Read from the chain at the head", schema: LedgerStatusOut },
      handler: async () => service.status(),
    }),
    txRoute({
      path: "/v1/ledger/pause",
      operationId: "pauseLedger",
      summary: "Operator: halt every state change of the ledger (an emergency); 409 EnforcedPause when already paused",
      tags: ["ledger"],
      roles: ["OPERATOR"],
      response: { status: 200, description: "Paused (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal }) => service.setPaused(principal, true),
    }),
    txRoute({
      path: "/v1/ledger/unpause",
      operationId: "unpauseLedger",
      summary: "Operator: resume the ledger; 409 ExpectedPause when it is running",
      tags: ["ledger"],
      roles: ["OPERATOR"],
      response: { status: 200, description: "Running again (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal }) => service.setPaused(principal, false),
    }),
    defineRoute({
      method: "put",
      path: "/v1/currencies/{address}",
      operationId: "setCurrencyAllowed",
      summary: "Operator: allow a settlement currency for new invoices, or stop allowing it",
      description:
        "Sent as the ledger's admin: the operator's own key, or scheduled in the ledger's timelock (applied at once when its delay is zero; otherwise `state: SCHEDULED` and `POST /v1/ledger/changes/execute` after `readyAt`). Only an ERC-20 with symbol, name and decimals can be allowed (400 naming `params.address`); a currency already so is `409 LedgerSettingUnchanged`.",
      tags: ["ledger"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      params: CurrencyParams,
      body: SetCurrencyBody,
      idempotent: true,
      response: { status: 200, description: "Applied or scheduled", schema: LedgerChangeOut },
      errors: [409],
      handler: async ({ principal, params, body, idempotencyKey }) => service.setCurrencyAllowed(principal, params.address, body.allowed, idempotencyKey),
    }),
    defineRoute({
      method: "put",
      path: "/v1/ledger-parameters",
      operationId: "setLedgerParameters",
      summary: "Operator: set the minimum part amount, the maximum lineage depth and the default offer window",
      description: "Sent as the ledger's admin, like `PUT /v1/currencies/{address}`. All three are set together; the same values as now are `409 LedgerSettingUnchanged`.",
      tags: ["ledger"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      body: SetLedgerParametersBody,
      idempotent: true,
      response: { status: 200, description: "Applied or scheduled", schema: LedgerChangeOut },
      errors: [409],
      handler: async ({ principal, body, idempotencyKey }) => service.setParameters(principal, body, idempotencyKey),
    }),
    txRoute({
      path: "/v1/ledger/changes/execute",
      operationId: "executeLedgerChange",
      summary: "Operator: execute a currency or parameter change the ledger's timelock held, once its delay has passed",
      description: "`data` and `salt` as the scheduling answer's `call` gave them. 409 `LedgerChangeNotReady` (with `readyAt`) before, `LedgerChangeAlreadyExecuted` after; 404 for a change never scheduled.",
      tags: ["ledger"],
      roles: ["OPERATOR"],
      body: ExecuteChangeBody,
      response: { status: 200, description: "Executed (transaction mined)", schema: LedgerChangeOut },
      errors: [404, 409],
      handler: async ({ principal, body }) => service.executeChange(principal, body),
    }),
  ];
}
