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

/** Whether this server signs for the caller's organisation, or its own wallet signs (EIP-712). */
export function useSigning(enabled = true) {
  return useQuery({
    queryKey: queryKeys.signing,
    queryFn: async () => (await unwrap(api.GET("/v1/signing"))).signsWith,
    enabled,
    staleTime: 60_000,
  });
}

/** How long a wallet's confirmation signature stays valid, from the chain's clock. */
const SIGNATURE_WINDOW_SECONDS = 15 * 60;

/**
 * Confirms one supplier's registration. With `wallet`, the organisation's own wallet signs the
 * confirmation's EIP-712 typed data (the server never holds its key) and the API relays the signature.
 */
export function useConfirmInvoice() {
  return useTxMutation({
    send: async (v: { invoiceHash: string; supplier: string; wallet?: { organisation: string } }, key) => {
      const path = { invoiceHash: v.invoiceHash };
      const query = { supplier: v.supplier };
      let body: { signature?: string; deadline?: number } = {};
      if (v.wallet !== undefined) {
        // The chain's clock decides expiry, not this browser's.
        const deadline = (await unwrap(api.GET("/v1/chain"))).headTimestamp + SIGNATURE_WINDOW_SECONDS;
        const typed = await unwrap(api.GET("/v1/invoices/{invoiceHash}/confirmation", { params: { path, query: { ...query, deadline } } }));
        const { askWallet, signTypedDataWithWallet } = await import("../../lib/wallet");
        const organisation = v.wallet.organisation;
        body = { signature: await askWallet(() => signTypedDataWithWallet(organisation, typed)), deadline };
      }
      return unwrap(api.POST("/v1/invoices/{invoiceHash}/confirm", { params: { path, query, header: { "idempotency-key": key } }, body }));
    },
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

export interface RegisterInvoiceInput {
  debtor: string;
  currency: string;
  amount: string;
  maturity: number;
  invoiceNumber: string;
  /** keccak256 of the document, computed in the browser; the server must answer the same hash. */
  invoiceHash: string;
  document: Blob;
}

/**
 * Supplier: register an invoice whose hash is its document's keccak256 (computed in the browser), then
 * upload the document, which the server stores only if its own keccak256 agrees. The registration is a
 * transaction (one Idempotency-Key per action); the upload repeats safely.
 */
export function useRegisterInvoice() {
  return useTxMutation({
    send: async (v: RegisterInvoiceInput, key) => {
      const { document, ...terms } = v;
      const registered = await unwrap(api.POST("/v1/invoices", { params: { header: { "idempotency-key": key } }, body: { ...terms, metadata: {} } }));
      const stored = await unwrap(
        api.PUT("/v1/invoices/{invoiceHash}/document", {
          params: { path: { invoiceHash: registered.invoiceHash } },
          body: document as unknown as string,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { "Content-Type": document.type === "" ? "application/octet-stream" : document.type },
        }),
      );
      return { ...registered, serverHash: stored.keccak256 };
    },
    invalidates: () => [queryKeys.invoices.all],
  });
}
