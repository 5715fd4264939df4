/** Server state of receivables: the holdings list (every page), one receivable, incoming offers. */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type Receivable = Schemas["Receivable"];

const PAGE = 200;

/**
 * Every receivable visible to the organisation, loaded page by page: the first page shows at once, the
 * rest follow in the background (the table sorts and filters what has arrived).
 */
export function useHoldings(enabled = true) {
  const query = useInfiniteQuery({
    enabled,
    queryKey: queryKeys.receivables.list(),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(api.GET("/v1/receivables", { params: { query: { limit: PAGE, ...(pageParam === undefined ? {} : { cursor: pageParam }) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  return query;
}

export function useReceivable(id: string) {
  return useQuery({
    queryKey: queryKeys.receivables.one(id),
    queryFn: async () => unwrap(api.GET("/v1/receivables/{id}", { params: { path: { id } } })),
    retry: false,
  });
}

/** Receivables offered to the organisation, waiting for it to sign for receipt. */
export function useIncomingOffers(enabled = true) {
  return useQuery({
    queryKey: queryKeys.receivables.offers(),
    queryFn: async () => (await unwrap(api.GET("/v1/offers"))).items,
    enabled,
  });
}

/** Minimum part amount, maximum depth and default offer window (shown before a split or transfer is sent). */
export function useLedgerParameters() {
  return useQuery({
    queryKey: queryKeys.ledgerParameters,
    queryFn: async () => unwrap(api.GET("/v1/ledger-parameters")),
    staleTime: 60_000,
  });
}

/** Every receivable query: a movement changes the list, the receivable, its parent and the offers. */
const touchesReceivables = () => [queryKeys.receivables.all, queryKeys.trace.all] as const;

export function useTransfer() {
  return useTxMutation({
    send: (v: { id: string; to: string; amount: string }, key) =>
      unwrap(api.POST("/v1/receivables/{id}/transfer", { params: { path: { id: v.id }, header: { "idempotency-key": key } }, body: { to: v.to, amount: v.amount } })),
    invalidates: touchesReceivables,
  });
}

export function useSplit() {
  return useTxMutation({
    send: (v: { id: string; amount: string }, key) =>
      unwrap(api.POST("/v1/receivables/{id}/split", { params: { path: { id: v.id }, header: { "idempotency-key": key } }, body: { amount: v.amount } })),
    invalidates: touchesReceivables,
  });
}

export function useAcceptOffer() {
  return useTxMutation({
    send: (v: { id: string }, key) => unwrap(api.POST("/v1/receivables/{id}/accept", { params: { path: { id: v.id }, header: { "idempotency-key": key } } })),
    invalidates: touchesReceivables,
  });
}

export function useRejectOffer() {
  return useTxMutation({
    send: (v: { id: string }, key) => unwrap(api.POST("/v1/receivables/{id}/reject", { params: { path: { id: v.id }, header: { "idempotency-key": key } } })),
    invalidates: touchesReceivables,
  });
}

export function useCancelOffer() {
  return useTxMutation({
    send: (v: { id: string }, key) => unwrap(api.POST("/v1/receivables/{id}/cancel-offer", { params: { path: { id: v.id }, header: { "idempotency-key": key } } })),
    invalidates: touchesReceivables,
  });
}
