/**
 * The ledger itself: whether it runs or is paused, its parameters and who administers them; the
 * operator pauses and resumes it, allows settlement currencies and sets the parameters.
 */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type LedgerStatus = Schemas["LedgerStatus"];
export type LedgerChange = Schemas["LedgerChange"];

/** Paused or running, the parameters and the admin, read at the chain head. */
export function useLedgerStatus() {
  return useQuery({
    queryKey: queryKeys.ledger.status,
    queryFn: async () => unwrap(api.GET("/v1/ledger")),
    staleTime: 15_000,
    refetchInterval: 30_000,
  });
}

/** Operator: pause (halt every state change) or resume the ledger. */
export function useSetPaused() {
  return useTxMutation({
    send: (v: { paused: boolean }, key) =>
      unwrap(
        v.paused
          ? api.POST("/v1/ledger/pause", { params: { header: { "idempotency-key": key } } })
          : api.POST("/v1/ledger/unpause", { params: { header: { "idempotency-key": key } } }),
      ),
    invalidates: () => [queryKeys.ledger.status],
  });
}

/** Operator: allow a settlement currency for new invoices, or stop allowing it. */
export function useSetCurrencyAllowed() {
  return useTxMutation({
    send: (v: { address: string; allowed: boolean }, key) =>
      unwrap(api.PUT("/v1/currencies/{address}", { params: { path: { address: v.address }, header: { "idempotency-key": key } }, body: { allowed: v.allowed } })),
    invalidates: () => [queryKeys.currencies],
  });
}

/** Operator: set the three ledger parameters together. */
export function useSetLedgerParameters() {
  return useTxMutation({
    send: (v: { minPartAmount: string; maxDepth: number; defaultOfferWindow: number }, key) =>
      unwrap(api.PUT("/v1/ledger-parameters", { params: { header: { "idempotency-key": key } }, body: v })),
    invalidates: () => [queryKeys.ledger.status, queryKeys.ledgerParameters],
  });
}
