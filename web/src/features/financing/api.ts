/** Server state of financing: requests, their quotes, opening a request, accepting a quote. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, newIdempotencyKey, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type FinancingRequest = Schemas["FinancingRequestWithRisk"];
export type Quote = Schemas["Quote"];

/** Financing requests open to the market (what a financier may quote on). */
export function useOpenRequests(enabled = true) {
  return useQuery({
    queryKey: queryKeys.financing.openRequests(),
    queryFn: async () => (await unwrap(api.GET("/v1/financing-requests", { params: { query: { status: "OPEN", limit: 200 } } }))).items,
    enabled,
  });
}

/** The holder's own requests (newest first as the API lists them). */
export function useMyRequests() {
  return useQuery({
    queryKey: queryKeys.financing.mine(),
    queryFn: async () => (await unwrap(api.GET("/v1/financing-requests", { params: { query: { limit: 200 } } }))).items,
  });
}

/** Quotes on a request, best effective annual rate first; refreshed while the holder compares them. */
export function useQuotes(requestId: string) {
  return useQuery({
    queryKey: queryKeys.financing.quotes(requestId),
    queryFn: async () => (await unwrap(api.GET("/v1/financing-requests/{id}/quotes", { params: { path: { id: requestId } } }))).items,
    refetchInterval: 10_000,
  });
}

export function useOpenFinancingRequest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { receivableId: string; amount: string; mode: "PURCHASE" | "PLEDGE" | "ANY"; deadline: number }) =>
      unwrap(api.POST("/v1/financing-requests", { body })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.financing.all });
    },
  });
}

export function useAcceptQuote() {
  return useTxMutation({
    send: (v: { quoteId: string }, key) => unwrap(api.POST("/v1/quotes/{id}/accept", { params: { path: { id: v.quoteId }, header: { "idempotency-key": key } } })),
    invalidates: () => [queryKeys.financing.all, queryKeys.receivables.all],
  });
}

export function useSubmitQuote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (v: { requestId: string; body: { advance: string; mode: "PURCHASE" | "PLEDGE"; expiry: number } }) =>
      unwrap(api.POST("/v1/financing-requests/{id}/quotes", { params: { path: { id: v.requestId } }, body: v.body })),
    onSuccess: async (_quote, v) => {
      await client.invalidateQueries({ queryKey: queryKeys.financing.quotes(v.requestId) });
    },
  });
}

/** The financier's own quotes across requests. */
export function useMyQuotes() {
  return useQuery({
    queryKey: queryKeys.financing.myQuotes(),
    queryFn: async () => (await unwrap(api.GET("/v1/quotes"))).items,
  });
}

/** The financier's financed parts with expected and received cash. */
export function usePortfolio() {
  return useQuery({ queryKey: queryKeys.financing.portfolio(), queryFn: async () => unwrap(api.GET("/v1/portfolio")) });
}

/** The financier's own exposure limit on each obligor and its outstanding financed face there. */
export function useExposureLimits() {
  return useQuery({ queryKey: queryKeys.financing.exposureLimits(), queryFn: async () => (await unwrap(api.GET("/v1/exposure/limits"))).items });
}

export function useSetExposureLimit() {
  return useTxMutation({
    send: (v: { obligor: string; limit: string }, key) =>
      unwrap(api.PUT("/v1/exposure/limits/{obligor}", { params: { path: { obligor: v.obligor }, header: { "idempotency-key": key } }, body: { limit: v.limit } })),
    invalidates: () => [queryKeys.financing.all],
  });
}

export function useCancelQuote() {
  return useTxMutation({
    send: (v: { quoteId: string }, key) => unwrap(api.POST("/v1/quotes/{id}/cancel", { params: { path: { id: v.quoteId }, header: { "idempotency-key": key } } })),
    invalidates: () => [queryKeys.financing.all],
  });
}

/** Revises a quote's advance: the old quote is cancelled on chain and a new one replaces it (answered with the new quote). */
export function useReviseQuote() {
  const client = useQueryClient();
  return useMutation({
    // One key per revision; the button is disabled while one is in flight, so a double click sends once.
    mutationFn: async (v: { quoteId: string; advance: string }) =>
      unwrap(api.PUT("/v1/quotes/{id}", { params: { path: { id: v.quoteId }, header: { "idempotency-key": newIdempotencyKey() } }, body: { advance: v.advance } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.financing.all });
    },
  });
}
