/**
 * What authentication needs from storage. Implemented over the database by `prismaAuthStore.ts`; kept as
 * an interface so the service's rules (hashing, expiry, one-time nonces) read without SQL in the way.
 */
import type { Duty, OrganisationRole, OrganisationUser, Subject } from "./principal";

export interface ApiKeyRecord {
  id: string;
  secretHash: string;
  subject: Subject;
  label: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  /**
   * The subject organisation as the chain projection knows it, when the store read it in the same
   * query (null: not registered). Saves a second lookup on every authenticated request.
   */
  organisationView?: OrganisationView | null;
  /** The key's user as stored, when the store read it in the same query (null: no such user). */
  userView?: UserRecord | null;
}

/** An organisation's user as stored. */
export interface UserRecord extends OrganisationUser {
  organisation: string;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface SessionRecord {
  id: string;
  secretHash: string;
  subject: Subject;
  /** The API key this session came from, or `siwe:<address>`; rate limits count against it. */
  credentialId: string;
  expiresAt: Date;
}

export interface OrganisationView {
  address: string;
  role: OrganisationRole;
  active: boolean;
}

export interface AuthStore {
  insertApiKey(record: ApiKeyRecord): Promise<void>;
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(filter: { organisation?: string; kind?: Subject["kind"] }): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: Date): Promise<boolean>;
  insertSession(record: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | undefined>;
  deleteSession(id: string): Promise<void>;
  insertNonce(input: { nonce: string; expiresAt: Date }): Promise<void>;
  /** Marks `nonce` used if it exists, is unused and unexpired at `now`; true only for that single caller. */
  consumeNonce(input: { nonce: string; now: Date }): Promise<boolean>;
  insertUser(record: UserRecord): Promise<void>;
  /** Inserts the user unless one with its id exists; answers the stored one either way. */
  ensureUser(record: UserRecord): Promise<UserRecord>;
  findUser(id: string): Promise<UserRecord | undefined>;
  listUsers(organisation: string): Promise<UserRecord[]>;
  /**
   * Sets a user's duties, or disables it (revoking its keys and ending its sessions), unless that would
   * leave its organisation without an enabled admin: then nothing changes and the answer is
   * "LastAdmin". Serialised per organisation, so two admins removing each other cannot both succeed.
   */
  changeUser(input: { id: string; duties?: readonly Duty[]; disableAt?: Date }): Promise<"changed" | "LastAdmin" | "NotFound">;
  /** The organisation as the chain projection knows it (role and active flag), by lower-case address. */
  findOrganisation(address: string): Promise<OrganisationView | undefined>;
  /**
   * A value that changes whenever any row of the database may have changed (a commit by any
   * connection, or a write on the store's own); undefined when the store cannot tell more cheaply than
   * by looking the credential up again. The authenticator reuses a resolved principal only while it
   * stays the same.
   */
  changeStamp?(): Promise<string | undefined>;
}
