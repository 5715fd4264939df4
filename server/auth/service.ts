/**
 * Authentication use cases: issue and revoke API keys, turn an API key or a Sign-In with Ethereum
 * (EIP-4361) message into a short-lived session, and resolve a request's credential into a principal.
 *
 * Must never: store or log a secret, trust a role carried by a token (the role is read from the chain
 * projection on every request), or accept a SIWE nonce twice.
 */
import { randomBytes } from "node:crypto";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../lib/appErrors";
import { newCredential, parseCredential, secretMatches } from "./credentials";
import { DUTIES, legacyDuties, type Duty, type Principal, type Subject } from "./principal";
import { verifySiweMessage } from "./siwe";
import type { ApiKeyRecord, AuthStore, OrganisationView, UserRecord } from "./store";

/** A new user id: `usr_` and 64 random bits in hex. */
export function newUserId(): string {
  return `usr_${randomBytes(8).toString("hex")}`;
}

/** The user that signs in with an organisation's own wallet (SIWE): whoever holds its key. */
export function walletUserId(address: string): string {
  return `usr_wallet_${address.toLowerCase().replace(/^0x/, "")}`;
}

/** The user of the web app's demo picker for an organisation (local development chain only). */
export function demoUserId(address: string): string {
  return `usr_demo_${address.toLowerCase().replace(/^0x/, "")}`;
}

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

  async function principalOf(
    subject: Subject,
    credentialId: string,
    prefetched?: { organisation?: OrganisationView | null; user?: UserRecord | null },
  ): Promise<Principal> {
    if (subject.kind !== "ORGANISATION") return { kind: subject.kind, credentialId };
    const invalid = () => new UnauthorizedError("CredentialInvalid", "credential is not valid");
    // A credential without a user (a session opened before users existed) signs in again.
    if (subject.userId === undefined) throw invalid();
    const [organisation, user] = await Promise.all([
      prefetched?.organisation === undefined ? store.findOrganisation(subject.organisation) : (prefetched.organisation ?? undefined),
      prefetched?.user === undefined ? store.findUser(subject.userId) : (prefetched.user ?? undefined),
    ]);
    // A credential of an organisation the chain does not (or no longer) know authenticates nobody, nor
    // one of a user that was disabled (or moved, which cannot happen: a user never changes organisation).
    if (organisation === undefined || user === undefined || user.disabledAt !== null || user.organisation !== organisation.address) throw invalid();
    return {
      kind: "ORGANISATION",
      organisation: organisation.address,
      role: organisation.role,
      active: organisation.active,
      admin: user.duties.includes("admin"),
      user: Object.freeze({ id: user.id, name: user.name, duties: Object.freeze([...user.duties]) }),
      credentialId,
    };
  }

  /** The user a new organisation credential belongs to: the one named, or a new one with the duties its `admin` flag implied. */
  async function userFor(subject: Extract<Subject, { kind: "ORGANISATION" }>, input: { label: string; createdBy: string }): Promise<UserRecord> {
    if (subject.userId !== undefined) {
      const user = await store.findUser(subject.userId);
      if (user === undefined || user.organisation !== subject.organisation) throw new NotFoundError("user", subject.userId);
      if (user.disabledAt !== null) throw new ConflictError("UserDisabled", "the user is disabled; it cannot be given keys", { userId: user.id });
      return user;
    }
    const user: UserRecord = {
      id: newUserId(),
      organisation: subject.organisation,
      name: input.label,
      duties: legacyDuties(subject.admin),
      createdBy: input.createdBy,
      createdAt: now(),
      disabledAt: null,
    };
    await store.insertUser(user);
    return user;
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
      return {
        principal: Object.freeze(
          await principalOf(record.subject, `key:${record.id}`, {
            ...(record.organisationView === undefined ? {} : { organisation: record.organisationView }),
            ...(record.userView === undefined ? {} : { user: record.userView }),
          }),
        ),
      };
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
    async issueApiKey(input: { issuer: Principal | "bootstrap"; subject: Subject; label: string }): Promise<IssuedCredential & { userId?: string }> {
      const { issuer } = input;
      let subject = input.subject;
      if (issuer !== "bootstrap" && issuer.kind !== "OPERATOR") {
        const ownOrg = issuer.kind === "ORGANISATION" && issuer.admin && subject.kind === "ORGANISATION" && subject.organisation === issuer.organisation;
        if (!ownOrg) throw new ForbiddenError("ApiKeyIssueDenied", "only the operator or an admin of the organisation may issue this key");
      }
      if (subject.kind === "ORGANISATION" && (await store.findOrganisation(subject.organisation)) === undefined) {
        throw new ValidationError("the organisation is not registered", [
          { field: "body.organisation", message: "not a registered organisation", code: "custom" },
        ]);
      }
      const createdBy = issuer === "bootstrap" ? "bootstrap" : issuer.credentialId;
      let userId: string | undefined;
      if (subject.kind === "ORGANISATION") {
        const user = await userFor(subject, { label: input.label, createdBy });
        userId = user.id;
        subject = { ...subject, admin: user.duties.includes("admin"), userId };
      }
      const credential = newCredential("apiKey");
      await store.insertApiKey({
        id: credential.id,
        secretHash: credential.secretHash,
        subject,
        label: input.label,
        createdBy,
        createdAt: now(),
        revokedAt: null,
      });
      return { id: credential.id, token: credential.token, ...(userId === undefined ? {} : { userId }) };
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

    /**
     * Users of an organisation the viewer may see: its own organisation's (an admin's job; the route
     * checks the duty), any organisation's for the operator and auditors. Another organisation's
     * users are simply not there.
     */
    async listUsers(viewer: Principal, organisation?: string): Promise<UserRecord[]> {
      const org = viewer.kind === "ORGANISATION" ? viewer.organisation : organisation;
      if (org === undefined) {
        throw new ValidationError("name the organisation", [{ field: "query.organisation", message: "required for the operator and auditors", code: "invalid_type" }]);
      }
      return store.listUsers(org);
    },

    /** One user the viewer may see (see listUsers); anyone else's: 404. */
    async getUser(viewer: Principal, id: string): Promise<UserRecord> {
      const user = await store.findUser(id);
      if (user === undefined || (viewer.kind === "ORGANISATION" && user.organisation !== viewer.organisation)) throw new NotFoundError("user", id);
      return user;
    },

    /** An organisation admin adds a user to its own organisation; the operator to any. */
    async createUser(issuer: Principal, input: { organisation?: string | undefined; name: string; duties: readonly Duty[] }): Promise<UserRecord> {
      const organisation = issuer.kind === "ORGANISATION" ? issuer.organisation : input.organisation;
      if (issuer.kind === "AUDITOR") throw new ForbiddenError("RoleNotAllowed", "auditors only read");
      if (organisation === undefined) {
        throw new ValidationError("name the organisation", [{ field: "body.organisation", message: "required for the operator", code: "invalid_type" }]);
      }
      if (issuer.kind === "ORGANISATION" && input.organisation !== undefined && input.organisation !== issuer.organisation) {
        throw new ForbiddenError("NotOrganisationAdmin", "an admin manages the users of its own organisation only");
      }
      if ((await store.findOrganisation(organisation)) === undefined) {
        throw new ValidationError("the organisation is not registered", [{ field: "body.organisation", message: "not a registered organisation", code: "custom" }]);
      }
      const user: UserRecord = {
        id: newUserId(),
        organisation,
        name: input.name,
        duties: [...input.duties],
        createdBy: issuer.kind === "ORGANISATION" ? issuer.user.id : issuer.credentialId,
        createdAt: now(),
        disabledAt: null,
      };
      await store.insertUser(user);
      return user;
    },

    /**
     * Changes a user's duties, or disables it (its keys revoked, its sessions ended). Never leaves an
     * organisation without an enabled admin (409 LastAdmin), so it can always manage itself.
     */
    async changeUser(issuer: Principal, id: string, change: { duties: readonly Duty[] } | { disable: true }): Promise<UserRecord> {
      const user = await this.getUser(issuer, id);
      if (issuer.kind === "AUDITOR") throw new ForbiddenError("RoleNotAllowed", "auditors only read");
      if ("disable" in change && user.disabledAt !== null) return user;
      if ("duties" in change && user.disabledAt !== null) throw new ConflictError("UserDisabled", "the user is disabled", { userId: id });
      const outcome = await store.changeUser({ id, ...("disable" in change ? { disableAt: now() } : { duties: change.duties }) });
      if (outcome === "NotFound") throw new NotFoundError("user", id);
      if (outcome === "LastAdmin") {
        throw new ConflictError("LastAdmin", "the organisation would be left without an enabled admin; give another user the admin duty first", { userId: id });
      }
      forgetResolved();
      return (await store.findUser(id)) as UserRecord;
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
    async demoSession(input: Subject): Promise<IssuedCredential & { subject: string }> {
      let subject = input;
      if (subject.kind === "ORGANISATION" && subject.userId === undefined) {
        // The picker's user of an organisation: every duty, as the organisation's credential had before users.
        const user = await store.ensureUser({
          id: demoUserId(subject.organisation),
          organisation: subject.organisation,
          name: "Demo user",
          duties: [...DUTIES],
          createdBy: "demo",
          createdAt: now(),
          disabledAt: null,
        });
        subject = { ...subject, userId: user.id };
      }
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
      // Whoever holds the organisation's own key is its administrator, and can do anything the key
      // can: it is signed in as the organisation's wallet user, with every duty (it still cannot
      // approve what it prepared itself).
      const user = await store.ensureUser({
        id: walletUserId(address),
        organisation: address,
        name: "Organisation wallet",
        duties: [...DUTIES],
        createdBy: `siwe:${address}`,
        createdAt: now(),
        disabledAt: null,
      });
      const subject: Subject = { kind: "ORGANISATION", organisation: address, admin: true, userId: user.id };
      return { ...(await openSession(subject, `siwe:${address}`)), subject: address };
    },
  };
}
