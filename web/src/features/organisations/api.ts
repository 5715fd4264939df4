import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useDemoLogins } from "../../app/auth";
import { api, unwrap } from "../../lib/api/client";
import { shortAddress } from "../../lib/dates";
import { queryKeys } from "../../lib/queryKeys";

/** The directory of registered organisations. */
export function useOrganisations() {
  return useQuery({
    queryKey: queryKeys.organisations.all,
    queryFn: async () => (await unwrap(api.GET("/v1/organisations"))).items,
    staleTime: 60_000,
  });
}

/** A person-readable label for an address: its name where the directory knows one, else the short address. */
export function useOrganisationLabel(): (address: string) => string {
  const demo = useDemoLogins();
  const names = useMemo(() => new Map((demo.data ?? []).map((o) => [o.subject, o.name])), [demo.data]);
  return useCallback((address) => names.get(address.toLowerCase()) ?? shortAddress(address), [names]);
}

/** A core enterprise's issuance limit, what it has issued, and its outstanding amounts per upcoming maturity. */
export function useIssuanceLimit(address: string | null) {
  return useQuery({
    queryKey: queryKeys.organisations.issuanceLimit(address ?? ""),
    queryFn: async () => unwrap(api.GET("/v1/issuance-limits/{address}", { params: { path: { address: address ?? "" } } })),
    enabled: address !== null,
  });
}
