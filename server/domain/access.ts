/**
 * Object-level authorisation shared by the domains. The rule: an organisation sees its own business
 * (what it holds, is offered, has pledged to it, owes as issuer) plus what the market must see (a
 * financier: receivables in financing requests open to the market); OPERATOR and AUDITOR see everything.
 * Anything else is answered as "not found", so a guessed id reveals nothing.
 */
import type { Principal } from "../auth/principal";
import type { Reads } from "./reads";

export function isPrivileged(principal: Principal): boolean {
  return principal.kind === "OPERATOR" || principal.kind === "AUDITOR";
}

export function organisationOf(principal: Principal): string | undefined {
  return principal.kind === "ORGANISATION" ? principal.organisation : undefined;
}

export interface ReceivableParties {
  id: string;
  holder: string;
  offeredTo: string | null;
  pledgee: string | null;
  issuer: string;
}

/** The direct relation of an organisation to a receivable, without the market rule. */
export function isPartyTo(org: string, r: ReceivableParties): boolean {
  return r.holder === org || r.offeredTo === org || r.pledgee === org || r.issuer === org;
}

/** Whether `principal` may see receivable `r` (and so its lineage and risk view). */
export async function canSeeReceivable(reads: Reads, principal: Principal, r: ReceivableParties, nowMs: number): Promise<boolean> {
  if (isPrivileged(principal)) return true;
  const org = organisationOf(principal);
  if (org === undefined) return false;
  if (isPartyTo(org, r)) return true;
  if (principal.kind === "ORGANISATION" && principal.role === "FINANCIER") {
    // The market rule: a financier sees receivables in requests still open to quotes, and those it quoted on.
    return (await reads.openRequestFor(r.id, nowMs)) || (await reads.quotedBy(r.id, org));
  }
  return false;
}
