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
