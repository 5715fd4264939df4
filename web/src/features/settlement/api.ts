import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

/** Redeem a matured receivable for settlement tokens (the holder's own pull). */
export function useRedeem() {
  return useTxMutation({
    send: (v: { id: string }, key) => unwrap(api.POST("/v1/receivables/{id}/redeem", { params: { path: { id: v.id }, header: { "idempotency-key": key } } })),
    invalidates: () => [queryKeys.receivables.all],
  });
}

/** The core enterprise's repayment pools: per maturity, the face owed, what it deposited, what is still due. */
export function usePools() {
  return useQuery({
    queryKey: queryKeys.settlement.pools(),
    queryFn: async () => (await unwrap(api.GET("/v1/settlement/pools"))).items,
  });
}

export function useDeposit() {
  return useTxMutation({
    send: (v: { currency: string; maturity: number; amount: string }, key) =>
      unwrap(api.POST("/v1/settlement/deposits", { params: { header: { "idempotency-key": key } }, body: v })),
    invalidates: () => [queryKeys.settlement.all, queryKeys.organisations.all],
  });
}
