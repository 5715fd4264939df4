import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";

/** Invoices registered on the organisation (as debtor) and waiting for its confirmation. */
export function useInvoicesToConfirm(enabled = true) {
  return useQuery({
    queryKey: queryKeys.invoices.toConfirm(),
    queryFn: async () => (await unwrap(api.GET("/v1/invoices", { params: { query: { status: "REGISTERED" } } }))).items,
    enabled,
  });
}
