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

export interface QuoteFields {
  advance: string;
  mode: "PURCHASE" | "PLEDGE";
  expiry: number;
  /** The financier's rationale, kept in the quote's due-diligence record. */
  notes?: string;
  /** A risk-sharing programme to enrol the financing in on acceptance. */
  programmeId?: string;
}

/** The risk-sharing programmes the caller takes part in (a financier: those that may enrol its financings). */
export function useProgrammes(enabled = true) {
  return useQuery({ queryKey: queryKeys.programmes, queryFn: async () => (await unwrap(api.GET("/v1/programmes"))).items, enabled, staleTime: 60_000 });
}

/**
 * Places a quote. With `wallet`, the financier keeps its own key: the API freezes the quote's due-diligence
 * record in a draft, the wallet signs the draft's EIP-712 typed data (its evidenceHash is the record's hash)
 * and the same fields go back with the draft's id and the signature. Otherwise the server signs.
 */
export function useSubmitQuote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (v: { requestId: string; body: QuoteFields; wallet?: { organisation: string } }) => {
      const path = { id: v.requestId };
      if (v.wallet === undefined) return unwrap(api.POST("/v1/financing-requests/{id}/quotes", { params: { path }, body: v.body }));
      const draft = await unwrap(api.POST("/v1/financing-requests/{id}/quote-drafts", { params: { path }, body: v.body }));
      const { askWallet, signTypedDataWithWallet } = await import("../../lib/wallet");
      const organisation = v.wallet.organisation;
      const signature = await askWallet(() => signTypedDataWithWallet(organisation, draft.typedData));
      return unwrap(api.POST("/v1/financing-requests/{id}/quotes", { params: { path }, body: { ...v.body, draftId: draft.draftId, signature } }));
    },
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
