/**
 * Who is calling. Built by the authenticator from an API key or a session token on every request; the
 * organisation's business role and active flag come from the chain projection (never from the token), so
 * a suspension or role change on chain takes effect on the next request.
 */

/** Business roles as the chain knows them (`IOrganisationRegistry.OrganisationRole`). */
export const ORGANISATION_ROLES = ["CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

/**
 * Roles a route can allow. OPERATOR is the platform operator; AUDITOR is a read-only role that exists
 * only on the server (auditors have no chain address and can never send a transaction).
 */
export const ACCESS_ROLES = ["OPERATOR", "AUDITOR", ...ORGANISATION_ROLES] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

/** What a credential (API key or session) stands for, as stored. */
export type Subject =
  | { kind: "OPERATOR" }
  | { kind: "AUDITOR" }
  | { kind: "ORGANISATION"; organisation: string; admin: boolean };

export interface OrganisationPrincipal {
  kind: "ORGANISATION";
  /** Lower-case address of the organisation. */
  organisation: string;
  role: OrganisationRole;
  active: boolean;
  /** An org admin may issue API keys for its own organisation. */
  admin: boolean;
  /** Identifies the credential for rate limiting and logs (never the secret). */
  credentialId: string;
}

export interface ServerPrincipal {
  kind: "OPERATOR" | "AUDITOR";
  credentialId: string;
}

export type Principal = OrganisationPrincipal | ServerPrincipal;

export function accessRoleOf(principal: Principal): AccessRole {
  return principal.kind === "ORGANISATION" ? principal.role : principal.kind;
}
