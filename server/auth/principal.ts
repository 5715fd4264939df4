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

/**
 * Duties of an organisation's users (issue 12 item 2): `admin` manages users, keys and thresholds;
 * `maker` prepares and sends writes (confirmations, transfers, quotes, deposits, ...); `checker`
 * approves what another user prepared, never its own; `viewer` reads. A user holds one or more.
 */
export const DUTIES = ["admin", "maker", "checker", "viewer"] as const;
export type Duty = (typeof DUTIES)[number];

/** The user a credential belongs to, with its duties as stored now (read on every request). */
export interface OrganisationUser {
  /** `usr_...` */
  id: string;
  name: string;
  duties: readonly Duty[];
}

/**
 * What a credential (API key or session) stands for, as stored. An organisation credential belongs to a
 * user (`userId`); `admin` is only what a key was issued with before users existed: when issuing,
 * a subject without `userId` gets a user of its own (every duty if `admin`, all but admin otherwise).
 */
export type Subject =
  | { kind: "OPERATOR" }
  | { kind: "AUDITOR" }
  | { kind: "ORGANISATION"; organisation: string; admin: boolean; userId?: string };

/**
 * Set on the principal a prepared action is executed with, once a checker approved it: who prepared
 * it and who approved it (user ids). What a signed record (a quote's evidence, the audit log) names as
 * "prepared by" and "approved by"; see `actingUsers`.
 */
export interface Approval {
  preparedActionId: string;
  preparedBy: string;
  approvedBy: string;
}

export interface OrganisationPrincipal {
  kind: "ORGANISATION";
  /** Lower-case address of the organisation. */
  organisation: string;
  role: OrganisationRole;
  active: boolean;
  /** The acting user holds the `admin` duty (may issue API keys for its own organisation, manage users and thresholds). */
  admin: boolean;
  /** The acting user: who signed in with this credential, and its duties. */
  user: OrganisationUser;
  /** Present only while a prepared action approved by a checker is being sent (the checker's request). */
  approval?: Approval;
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

export function hasDuty(principal: Principal, duty: Duty): boolean {
  return principal.kind === "ORGANISATION" && principal.user.duties.includes(duty);
}

/**
 * Who prepared and who approved the write a request is making: for a write sent directly, its maker
 * and no approver; for an approved prepared action, its maker and its checker. Null for the operator.
 */
export function actingUsers(principal: Principal): { preparedBy: string | null; approvedBy: string | null } {
  if (principal.kind !== "ORGANISATION") return { preparedBy: null, approvedBy: null };
  if (principal.approval !== undefined) return { preparedBy: principal.approval.preparedBy, approvedBy: principal.approval.approvedBy };
  return { preparedBy: principal.user.id, approvedBy: null };
}

/** Duties in their canonical order, without repeats (how they are stored and shown). */
export function canonicalDuties(duties: readonly Duty[]): Duty[] {
  return DUTIES.filter((d) => duties.includes(d));
}

export function parseDuties(text: string): Duty[] {
  const parts = text.split(",");
  return DUTIES.filter((d) => parts.includes(d));
}

/** What a key issued before users existed (or without naming a user) could do. */
export function legacyDuties(admin: boolean): Duty[] {
  return admin ? ["admin", "maker", "checker", "viewer"] : ["maker", "checker", "viewer"];
}
