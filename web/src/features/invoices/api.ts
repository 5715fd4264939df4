import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

/** Invoices registered on the organisation (as debtor) and waiting for its confirmation. */
export function useInvoicesToConfirm(enabled = true) {
  return useQuery({
    queryKey: queryKeys.invoices.toConfirm(),
    queryFn: async () => (await unwrap(api.GET("/v1/invoices", { params: { query: { status: "REGISTERED" } } }))).items,
    enabled,
  });
}

export type Invoice = Schemas["Invoice"];

export function useConfirmInvoice() {
  return useTxMutation({
    send: (v: { invoiceHash: string }, key) =>
      unwrap(api.POST("/v1/invoices/{invoiceHash}/confirm", { params: { path: { invoiceHash: v.invoiceHash }, header: { "idempotency-key": key } }, body: {} })),
    invalidates: () => [queryKeys.invoices.all, queryKeys.receivables.all, queryKeys.settlement.all, queryKeys.organisations.all],
  });
}

export function useRejectInvoice() {
  return useTxMutation({
    send: (v: { invoiceHash: string; reason: string }, key) =>
      unwrap(api.POST("/v1/invoices/{invoiceHash}/reject", { params: { path: { invoiceHash: v.invoiceHash }, header: { "idempotency-key": key } }, body: { reason: v.reason } })),
    invalidates: () => [queryKeys.invoices.all],
  });
}
