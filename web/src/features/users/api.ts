/**
 * An organisation's users and their duties (issue 12 item 2): its admin adds users, changes their
 * duties, disables them and gives them API keys (each shown once).
 */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { queryKeys } from "../../lib/queryKeys";
import { useTxMutation } from "../../lib/txMutation";

export type OrganisationUser = Schemas["OrganisationUser"];
export type Duty = OrganisationUser["duties"][number];
export const DUTIES: readonly Duty[] = ["admin", "maker", "checker", "viewer"];

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users.list(), queryFn: async () => (await unwrap(api.GET("/v1/users"))).items });
}

export function useCreateUser() {
  return useTxMutation({
    send: (v: { name: string; duties: Duty[] }) => unwrap(api.POST("/v1/users", { body: v })),
    invalidates: () => [queryKeys.users.all],
  });
}

export function useSetDuties() {
  return useTxMutation({
    send: (v: { id: string; duties: Duty[] }) => unwrap(api.PUT("/v1/users/{id}/duties", { params: { path: { id: v.id } }, body: { duties: v.duties } })),
    invalidates: () => [queryKeys.users.all, queryKeys.session],
  });
}

export function useDisableUser() {
  return useTxMutation({
    send: (v: { id: string }) => unwrap(api.POST("/v1/users/{id}/disable", { params: { path: { id: v.id } } })),
    invalidates: () => [queryKeys.users.all],
  });
}

/** A new API key for a user: the answer is the only time it is shown. */
export function useIssueUserKey() {
  return useTxMutation({
    send: (v: { id: string; label: string }) => unwrap(api.POST("/v1/users/{id}/api-keys", { params: { path: { id: v.id } }, body: { label: v.label } })),
    invalidates: () => [],
  });
}
