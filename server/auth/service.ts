/**
 * Authentication use cases: issue and revoke API keys, turn an API key or a Sign-In with Ethereum
 * (EIP-4361) message into a short-lived session, and resolve a request's credential into a principal.
 *
 * Must never: store or log a secret, trust a role carried by a token (the role is read from the chain
 * projection on every request), or accept a SIWE nonce twice.
 */
import { randomBytes } from "node:crypto";
import { ForbiddenError, UnauthorizedError, ValidationError } from "../lib/appErrors";
import { newCredential, parseCredential, secretMatches } from "./credentials";
import type { Principal, Subject } from "./principal";
import { verifySiweMessage } from "./siwe";
import type { ApiKeyRecord, AuthStore, OrganisationView } from "./store";

export interface AuthServiceOptions {
  store: AuthStore;
  sessionTtlSeconds: number;
  siwe: { domain: string; nonceTtlSeconds: number; chainId?: number };
  now?: () => Date;
}

export interface IssuedCredential {
  id: string;
  /** Shown once; only its hash is kept. */
  token: string;
  expiresAt?: string;
}

export type AuthService = ReturnType<typeof createAuthService>;

function subjectLabel(subject: Subject): string {
  return subject.kind === "ORGANISATION" ? subject.organisation : subject.kind;
}

/**
 * Resolved credentials are reused for at most this long, and only while the store's change stamp is
 * the same (so a suspension, role change or revocation committed by anyone applies to the next request;
 * the time bound is a second line of defence).
 */
const RESOLVED_TTL_MS = 1_000;
/** Distinct live credentials remembered at once; past this the memory is simply dropped and rebuilt. */
const RESOLVED_LIMIT = 10_000;

interface Resolved {
  principal: Principal;
  stamp: string;
  /** Wall-clock end of reuse (RESOLVED_TTL_MS after the lookup). */
  until: number;
  /** For a session: when it expires by the service clock (checked on every reuse). */
  sessionExpiresAtMs?: number;
}

export function createAuthService(options: AuthServiceOptions) {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  // Keyed by the whole credential, so a hit proves the same secret that was checked against its hash.
  // In process memory only (never logged, never stored), like the request that carried it.
  const resolved = new Map<string, Resolved>();
  // The change stamp is read once per turn of the event loop and shared by the requests served in that
  // turn (under load, dozens): a commit is seen by every request that starts after the turn it landed in.
  let turnStamp: Promise<string | undefined> | undefined;
  function changeStamp(): Promise<string | undefined> | undefined {
    if (store.changeStamp === undefined) return undefined;
    if (turnStamp === undefined) {
      turnStamp = store.changeStamp();
      setImmediate(() => {
        turnStamp = undefined;
      });
    }
    return turnStamp;
  }
  /** After this process changed credentials itself: nothing resolved before may be reused. */
  function forgetResolved(): void {
    resolved.clear();
    turnStamp = undefined;
  }

  async function principalOf(subject: Subject, credentialId: string, prefetched?: OrganisationView | null): Promise<Principal> {
    if (subject.kind !== "ORGANISATION") return { kind: subject.kind, credentialId };
    const organisation = prefetched === undefined ? await store.findOrganisation(subject.organisation) : (prefetched ?? undefined);
    // A credential of an organisation the chain does not (or no longer) know authenticates nobody.
    if (organisation === undefined) throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    return {
      kind: "ORGANISATION",
      organisation: organisation.address,
      role: organisation.role,
      active: organisation.active,
      admin: subject.admin,
      credentialId,
    };
  }

  async function checkApiKey(token: string): Promise<ApiKeyRecord> {
    const parsed = parseCredential(token);
    if (parsed === undefined || parsed.kind !== "apiKey") throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    const record = await store.findApiKey(parsed.id);
    if (record === undefined || record.revokedAt !== null || !secretMatches(parsed.secret, record.secretHash)) {
      throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    }
    return record;
  }

  /** The full check of a credential against the store (what `authenticate` reuses while nothing changed). */
  async function resolve(token: string): Promise<{ principal: Principal; sessionExpiresAtMs?: number }> {
    const parsed = parseCredential(token);
    if (parsed === undefined) throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    if (parsed.kind === "apiKey") {
      const record = await checkApiKey(token);
      return { principal: Object.freeze(await principalOf(record.subject, `key:${record.id}`, record.organisationView)) };
    }
    const session = await store.findSession(parsed.id);
    if (session === undefined || !secretMatches(parsed.secret, session.secretHash)) {
      throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    }
    if (session.expiresAt.getTime() <= now().getTime()) {
      throw new UnauthorizedError("SessionExpired", "session expired; sign in again");
    }
    // A session made from an API key dies with that key.
    if (session.credentialId.startsWith("key:")) {
      const key = await store.findApiKey(session.credentialId.slice(4));
      if (key === undefined || key.revokedAt !== null) throw new UnauthorizedError("CredentialInvalid", "credential is not valid");
    }
    return { principal: Object.freeze(await principalOf(session.subject, session.credentialId)), sessionExpiresAtMs: session.expiresAt.getTime() };
  }

  async function openSession(subject: Subject, credentialId: string): Promise<IssuedCredential> {
    const credential = newCredential("session");
    const expiresAt = new Date(now().getTime() + options.sessionTtlSeconds * 1000);
    await store.insertSession({ id: credential.id, secretHash: credential.secretHash, subject, credentialId, expiresAt });
    return { id: credential.id, token: credential.token, expiresAt: expiresAt.toISOString() };
  }

  return {
    /**
     * Resolves `Authorization: Bearer <session or API key>` into a principal. The credential lookup and
     * hash check are repeated only when anything in the database changed since (see RESOLVED_TTL_MS
     * and changeStamp) or the credential is new.
     */
    async authenticate(token: string | undefined): Promise<Principal> {
      if (token === undefined || token === "") throw new UnauthorizedError("CredentialMissing", "authentication required");
      const stamp = await changeStamp();
      if (stamp !== undefined) {
        const hit = resolved.get(token);
        if (
          hit !== undefined &&
          hit.stamp === stamp &&
          Date.now() < hit.until &&
          (hit.sessionExpiresAtMs === undefined || hit.sessionExpiresAtMs > now().getTime())
        ) {
          return hit.principal;
        }
      }
      const { principal, sessionExpiresAtMs } = await resolve(token);
      if (stamp !== undefined) {
        if (resolved.size >= RESOLVED_LIMIT) resolved.clear();
        resolved.set(token, { principal, stamp, until: Date.now() + RESOLVED_TTL_MS, ...(sessionExpiresAtMs === undefined ? {} : { sessionExpiresAtMs }) });
      }
      return principal;
    },

    /**
     * Issues an API key for `subject`. The operator may issue any key; an organisation admin only keys for
     * its own organisation (and never admin keys for another one). Auditor keys are the operator's alone.
     */
    async issueApiKey(input: { issuer: Principal | "bootstrap"; subject: Subject; label: string }): Promise<IssuedCredential> {
      const { issuer, subject } = input;
      if (issuer !== "bootstrap" && issuer.kind !== "OPERATOR") {
        const ownOrg = issuer.kind === "ORGANISATION" && issuer.admin && subject.kind === "ORGANISATION" && subject.organisation === issuer.organisation;
        if (!ownOrg) throw new ForbiddenError("ApiKeyIssueDenied", "only the operator or an admin of the organisation may issue this key");
      }
      if (subject.kind === "ORGANISATION" && (await store.findOrganisation(subject.organisation)) === undefined) {
        throw new ValidationError("the organisation is not registered", [
          { field: "body.organisation", message: "not a registered organisation", code: "custom" },
        ]);
      }
      const credential = newCredential("apiKey");
      await store.insertApiKey({
        id: credential.id,
        secretHash: credential.secretHash,
        subject,
        label: input.label,
        createdBy: issuer === "bootstrap" ? "bootstrap" : issuer.credentialId,
        createdAt: now(),
        revokedAt: null,
      });
      return { id: credential.id, token: credential.token };
    },

    async listApiKeys(viewer: Principal): Promise<ApiKeyRecord[]> {
      if (viewer.kind === "OPERATOR") return store.listApiKeys({});
      if (viewer.kind === "ORGANISATION") return store.listApiKeys({ organisation: viewer.organisation });
      return [];
    },

    /** Revokes a key the viewer may manage; another organisation's key id answers "not found". */
    async revokeApiKey(viewer: Principal, id: string): Promise<boolean> {
      const record = await store.findApiKey(id);
      const visible =
        record !== undefined &&
        (viewer.kind === "OPERATOR" ||
          (viewer.kind === "ORGANISATION" && viewer.admin && record.subject.kind === "ORGANISATION" && record.subject.organisation === viewer.organisation));
      if (!visible) return false;
      const revoked = await store.revokeApiKey(id, now());
      // The change stamp would catch it from the next turn on; forgetting at once needs no reasoning.
      forgetResolved();
      return revoked;
    },

    /** Exchanges a valid API key for a short-lived session token. */
    async sessionFromApiKey(apiKey: string): Promise<IssuedCredential & { subject: string }> {
      const record = await checkApiKey(apiKey);
      await principalOf(record.subject, `key:${record.id}`);
      return { ...(await openSession(record.subject, `key:${record.id}`)), subject: subjectLabel(record.subject) };
    },

    /**
     * A session for a demo organisation chosen in the web app's picker, without any key: only ever
     * offered on a local development chain with demo logins switched on (see `DemoLogins` in routes.ts).
     */
    async demoSession(subject: Subject): Promise<IssuedCredential & { subject: string }> {
      await principalOf(subject, `demo:${subjectLabel(subject)}`);
      return { ...(await openSession(subject, `demo:${subjectLabel(subject)}`)), subject: subjectLabel(subject) };
    },

    /** The on-chain role of an organisation, or undefined when it is not registered. */
    async organisationRole(address: string): Promise<string | undefined> {
      return (await store.findOrganisation(address))?.role;
    },

    async endSession(token: string): Promise<void> {
      const parsed = parseCredential(token);
      if (parsed?.kind === "session") await store.deleteSession(parsed.id);
      forgetResolved();
    },

    /** A one-time SIWE nonce (alphanumeric, 128 bits) valid for the configured time. */
    async siweNonce(): Promise<{ nonce: string; expiresAt: string; domain: string }> {
      // Hex is alphanumeric as EIP-4361 requires.
      const nonce = randomBytes(16).toString("hex");
      const expiresAt = new Date(now().getTime() + options.siwe.nonceTtlSeconds * 1000);
      await store.insertNonce({ nonce, expiresAt });
      return { nonce, expiresAt: expiresAt.toISOString(), domain: options.siwe.domain };
    },

    /**
     * Verifies an EIP-4361 message and its signature. The nonce is consumed before the signature is even
     * checked, so a message can be presented once only (a captured message cannot be replayed).
     */
    async siweVerify(input: { message: string; signature: string }): Promise<IssuedCredential & { subject: string }> {
      const { address } = await verifySiweMessage({
        ...input,
        domain: options.siwe.domain,
        ...(options.siwe.chainId === undefined ? {} : { chainId: options.siwe.chainId }),
        now: now(),
        consumeNonce: (nonce, at) => store.consumeNonce({ nonce, now: at }),
      });
      const organisation = await store.findOrganisation(address);
      if (organisation === undefined) throw new UnauthorizedError("SiweUnknownOrganisation", "the address is not a registered organisation");
      // Whoever holds the organisation's own key is its administrator.
      const subject: Subject = { kind: "ORGANISATION", organisation: address, admin: true };
      return { ...(await openSession(subject, `siwe:${address}`)), subject: address };
    },
  };
}
