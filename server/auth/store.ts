/**
 * What authentication needs from storage. Implemented over the database by `prismaAuthStore.ts`; kept as
 * an interface so the service's rules (hashing, expiry, one-time nonces) read without SQL in the way.
 */
import type { OrganisationRole, Subject } from "./principal";

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
