/** Server state of disputes: the list (need to know: its own trees, or all for operator and auditor) and the operator's resolution. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type Dispute = Schemas["Dispute"];

export function useDisputes() {
  return useQuery({
    queryKey: queryKeys.disputes.list(),
    queryFn: async () => (await unwrap(api.GET("/v1/disputes"))).items,
  });
}

/** Operator: uphold a dispute (the tree stays frozen) or release it (the tree moves again). */
export function useResolveDispute() {
  return useTxMutation({
    send: (v: { rootId: string; outcome: "UPHOLD" | "RELEASE" }, key) =>
      unwrap(api.POST("/v1/disputes/{rootId}/resolve", { params: { path: { rootId: v.rootId }, header: { "idempotency-key": key } }, body: { outcome: v.outcome } })),
    invalidates: () => [queryKeys.disputes.all, queryKeys.receivables.all, queryKeys.trace.all],
  });
}
