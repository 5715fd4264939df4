import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useDemoLogins } from "../../app/auth";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { shortAddress } from "../../lib/dates";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

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

export type Organisation = Schemas["Organisation"];
export type OrganisationRole = Organisation["role"];

/** Operator: register an organisation on chain (KYC done off chain; its hash is recorded). */
export function useRegisterOrganisation() {
  return useTxMutation({
    send: (v: { address: string; role: OrganisationRole; kycHash: string }, key) =>
      unwrap(api.POST("/v1/organisations", { params: { header: { "idempotency-key": key } }, body: v })),
    invalidates: () => [queryKeys.organisations.all],
  });
}

/** Operator: suspend or reactivate an organisation. */
export function useSetOrganisationActive() {
  return useTxMutation({
    send: (v: { address: string; active: boolean }, key) =>
      unwrap(
        v.active
          ? api.POST("/v1/organisations/{address}/reactivate", { params: { path: { address: v.address }, header: { "idempotency-key": key } } })
          : api.POST("/v1/organisations/{address}/suspend", { params: { path: { address: v.address }, header: { "idempotency-key": key } } }),
      ),
    invalidates: () => [queryKeys.organisations.all],
  });
}

/** Operator: set a core enterprise's issuance limit (face it may have confirmed and unpaid). */
export function useSetIssuanceLimit() {
  return useTxMutation({
    send: (v: { address: string; limit: string }, key) =>
      unwrap(api.PUT("/v1/issuance-limits/{address}", { params: { path: { address: v.address }, header: { "idempotency-key": key } }, body: { limit: v.limit } })),
    invalidates: (v) => [queryKeys.organisations.issuanceLimit(v.address)],
  });
}
