/**
 * Maker-checker (issue 12 item 2): the actions an organisation's makers prepared, and its thresholds.
 * A checker other than the maker approves (which sends the stored request) or rejects with a reason; its
 * maker may cancel; an admin sets the thresholds.
 */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type PreparedAction = Schemas["PreparedAction"];
export type PreparedActionStatus = PreparedAction["status"];
export type Thresholds = Schemas["Thresholds"];
export type Threshold = Thresholds["thresholds"][number];

/** The organisation's prepared actions in one state (all states: undefined), newest first. */
export function usePreparedActions(status: PreparedActionStatus | undefined, enabled = true) {
  return useQuery({
    enabled,
    queryKey: queryKeys.approvals.list(status ?? "ALL"),
    queryFn: async () => (await unwrap(api.GET("/v1/prepared-actions", { params: { query: { ...(status === undefined ? {} : { status }), limit: 50 } } }))).items,
    refetchInterval: 15_000,
  });
}

/** What a decision changes: the lists, and whatever the sent action moved. */
const decided = () => [queryKeys.approvals.all, queryKeys.receivables.all, queryKeys.invoices.all, queryKeys.financing.all, queryKeys.settlement.all, queryKeys.balances];

/** Checker: approve (and so send) a prepared action; one Idempotency-Key per action, however often clicked. */
export function useApprove() {
  return useTxMutation({
    send: (v: { id: string }, key) => unwrap(api.POST("/v1/prepared-actions/{id}/approve", { params: { path: { id: v.id }, header: { "idempotency-key": key } } })),
    invalidates: decided,
  });
}

export function useReject() {
  return useTxMutation({
    send: (v: { id: string; reason: string }) => unwrap(api.POST("/v1/prepared-actions/{id}/reject", { params: { path: { id: v.id } }, body: { reason: v.reason } })),
    invalidates: () => [queryKeys.approvals.all],
  });
}

/** Its maker withdraws a pending action. */
export function useCancelPrepared() {
  return useTxMutation({
    send: (v: { id: string }) => unwrap(api.POST("/v1/prepared-actions/{id}/cancel", { params: { path: { id: v.id } } })),
    invalidates: () => [queryKeys.approvals.all],
  });
}

export function useThresholds() {
  return useQuery({ queryKey: queryKeys.approvals.thresholds, queryFn: async () => unwrap(api.GET("/v1/thresholds")) });
}

/** Admin: replace the organisation's thresholds (the whole set) and approval window. */
export function useSetThresholds() {
  return useTxMutation({
    send: (v: { approvalWindowSeconds: number; thresholds: Threshold[] }) => unwrap(api.PUT("/v1/thresholds", { body: v })),
    invalidates: () => [queryKeys.approvals.thresholds],
  });
}
