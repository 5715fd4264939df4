/** Server state of the auditor's work: finding what a search names, and the audit export. */
import { useMutation } from "@tanstack/react-query";
import { api, ApiError, unwrap } from "../../lib/api/client";

export type SearchResult =
  | { kind: "receivable"; id: string }
  | { kind: "invoice"; invoiceHash: string; status: "REGISTERED" | "REJECTED" | "CONFIRMED"; rootId: string | null }
  | { kind: "organisation"; address: string; role: string; active: boolean; issued: { id: string; amount: string; currency: string; status: string }[] };

/** What the text names: a receivable id, an invoice hash or an organisation's address (as the API answers it). */
export function useSearch() {
  return useMutation({
    mutationFn: async (text: string): Promise<SearchResult> => {
      const q = text.trim();
      if (/^\d{1,78}$/.test(q)) {
        const r = await unwrap(api.GET("/v1/receivables/{id}", { params: { path: { id: q } } }));
        return { kind: "receivable", id: r.id };
      }
      if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
        const inv = await unwrap(api.GET("/v1/invoices/{invoiceHash}", { params: { path: { invoiceHash: q.toLowerCase() } } }));
        return { kind: "invoice", invoiceHash: inv.invoiceHash, status: inv.status, rootId: inv.rootId };
      }
      if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
        const org = await unwrap(api.GET("/v1/organisations/{address}", { params: { path: { address: q.toLowerCase() } } }));
        // A core enterprise's trees are found by their obligor: the receivables it issued.
        const issued =
          org.role === "CORE_ENTERPRISE" ? (await unwrap(api.GET("/v1/receivables", { params: { query: { issuer: org.address, limit: 50 } } }))).items : [];
        return { kind: "organisation", address: org.address, role: org.role, active: org.active, issued };
      }
      throw new ApiError(400, "SearchTermInvalid", "a receivable id, an invoice hash or an address");
    },
  });
}

export type ExportDataset = "receivables" | "financings" | "repayments" | "actions";
export type ExportFormat = "csv" | "json";

/** The audit export of a period as a file (the API's CSV or JSON, unchanged). */
export function useAuditExport() {
  return useMutation({
    mutationFn: async (v: { dataset: ExportDataset; format: ExportFormat; from: string; to: string }): Promise<Blob> =>
      unwrap(api.GET("/v1/audit/export", { params: { query: v }, parseAs: "blob" })),
  });
}
