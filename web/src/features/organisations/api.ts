import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";
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

/** The directory searched by part of a name or the start of a credit code (all of it without `q`). */
export function useDirectory(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: queryKeys.organisations.directory(query),
    queryFn: async () => (await unwrap(api.GET("/v1/organisations", { params: { query: query === "" ? {} : { q: query } } }))).items,
    staleTime: 30_000,
  });
}

/**
 * A person-readable label for an address: its legal name from the directory (the English one in English
 * where it has one), else the demo picker's name, else the short address.
 */
export function useOrganisationLabel(): (address: string) => string {
  const demo = useDemoLogins();
  const directory = useOrganisations();
  const { i18n } = useTranslation();
  const english = !i18n.language.startsWith("zh");
  const names = useMemo(() => {
    const map = new Map((demo.data ?? []).map((o) => [o.subject, o.name]));
    for (const o of directory.data ?? []) {
      const name = english ? (o.nameEn ?? o.name) : o.name;
      if (name !== null) map.set(o.address, name);
    }
    return map;
  }, [demo.data, directory.data, english]);
  return useCallback((address) => names.get(address.toLowerCase()) ?? shortAddress(address), [names]);
}

export type Application = Schemas["OrganisationProfile"];
export type ApplicationStatus = Application["onboarding"]["status"];

/** Operator and auditors: onboarding applications in one state. */
export function useApplications(status: ApplicationStatus) {
  return useQuery({
    queryKey: queryKeys.organisations.applications(status),
    queryFn: async () => (await unwrap(api.GET("/v1/onboarding/applications", { params: { query: { status } } }))).items,
  });
}

/** Operator: approve an application, registering the organisation on chain. */
export function useApproveApplication() {
  return useTxMutation({
    send: (v: { address: string }, key) =>
      unwrap(api.POST("/v1/onboarding/applications/{address}/approve", { params: { path: { address: v.address }, header: { "idempotency-key": key } } })),
    invalidates: () => [queryKeys.organisations.all],
  });
}

/** Operator: reject an application with a reason (no transaction). */
export function useRejectApplication() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (v: { address: string; reason: string }) =>
      unwrap(api.POST("/v1/onboarding/applications/{address}/reject", { params: { path: { address: v.address } }, body: { reason: v.reason } })),
    onSuccess: async () => client.invalidateQueries({ queryKey: queryKeys.organisations.all }),
  });
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
