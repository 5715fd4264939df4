/** Server state of trace: a receivable's lineage as the caller may see it, and its proof bundle. */
import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";

export type Trace = Schemas["Trace"];
export type TraceNode = Schemas["TraceNode"];
export type ProofBundle = Schemas["ProofBundle"];

/** The lineage tree of a receivable, cut to what the caller may see (the API applies need to know). */
export function useTrace(id: string) {
  return useQuery({
    queryKey: queryKeys.trace.one(id),
    queryFn: async () => unwrap(api.GET("/v1/receivables/{id}/trace", { params: { path: { id } } })),
    retry: false,
  });
}

/** Fetches the proof bundle of a receivable (to save as a file, or to verify). */
export function useProofBundle() {
  return useMutation({
    mutationFn: async (id: string) => unwrap(api.GET("/v1/receivables/{id}/proof", { params: { path: { id } } })),
  });
}
