/**
 * The authentication store over the database: API keys, sessions and SIWE nonces (api.prisma), and the
 * organisation projection (chain.prisma, read only).
 */
import type { PrismaClient, Sql } from "../db/client";
import { big, bool, strOrNull } from "../db/codec";
import { ORGANISATION_ROLES, type OrganisationRole, type Subject } from "./principal";
import type { ApiKeyRecord, AuthStore, OrganisationView } from "./store";

interface SubjectColumns {
  subjectKind: string;
  organisation: string | null;
  admin: boolean;
}

function subjectFromRow(row: SubjectColumns): Subject {
  if (row.subjectKind === "ORGANISATION" && row.organisation !== null) {
    return { kind: "ORGANISATION", organisation: row.organisation, admin: row.admin };
  }
  if (row.subjectKind === "OPERATOR" || row.subjectKind === "AUDITOR") return { kind: row.subjectKind };
  throw new Error(`corrupt credential subject ${row.subjectKind}`);
}

function subjectToRow(subject: Subject): SubjectColumns {
  return subject.kind === "ORGANISATION"
    ? { subjectKind: subject.kind, organisation: subject.organisation, admin: subject.admin }
    : { subjectKind: subject.kind, organisation: null, admin: subject.kind === "OPERATOR" };
}

export function organisationRoleOf(role: string): OrganisationRole | undefined {
  return (ORGANISATION_ROLES as readonly string[]).includes(role) ? (role as OrganisationRole) : undefined;
}

/**
 * Writes go through Prisma; the lookups every request makes (key or session, organisation, the change
 * stamp) are plain SQL on the API's read handle, as they decide the API's throughput.
 */
export function createPrismaAuthStore(db: PrismaClient, sql: Sql): AuthStore {
  const apiKeyFromRow = (row: {
    id: string;
    secretHash: string;
    subjectKind: string;
    organisation: string | null;
    admin: boolean;
    label: string;
    createdBy: string;
    createdAtMs: bigint;
    revokedAtMs: bigint | null;
  }): ApiKeyRecord => ({
    id: row.id,
    secretHash: row.secretHash,
    subject: subjectFromRow(row),
    label: row.label,
    createdBy: row.createdBy,
    createdAt: new Date(Number(row.createdAtMs)),
    revokedAt: row.revokedAtMs === null ? null : new Date(Number(row.revokedAtMs)),
  });

  return {
    async insertApiKey(record) {
      await db.apiKey.create({
        data: {
          id: record.id,
          secretHash: record.secretHash,
          ...subjectToRow(record.subject),
          label: record.label,
          createdBy: record.createdBy,
          createdAtMs: BigInt(record.createdAt.getTime()),
          revokedAtMs: null,
        },
      });
    },
    async findApiKey(id) {
      // The key and its organisation's on-chain role and state in one query: this runs on every request.
      const [r] = await sql.query(
        `SELECT k.*, o."address" AS "o_address", o."role" AS "o_role", o."active" AS "o_active"
           FROM "api_key" k LEFT JOIN "organisation" o ON o."address" = k."organisation" WHERE k."id" = ?`,
        [id],
      );
      if (r === undefined) return undefined;
      const role = r.o_address === null || r.o_address === undefined ? undefined : organisationRoleOf(String(r.o_role));
      const organisationView: OrganisationView | null = role === undefined ? null : { address: String(r.o_address), role, active: bool(r.o_active) };
      return { ...apiKeyFromRow({
        id: String(r.id),
        secretHash: String(r.secret_hash),
        subjectKind: String(r.subject_kind),
        organisation: strOrNull(r.organisation),
        admin: bool(r.admin),
        label: String(r.label),
        createdBy: String(r.created_by),
        createdAtMs: big(r.created_at_ms),
        revokedAtMs: r.revoked_at_ms === null || r.revoked_at_ms === undefined ? null : big(r.revoked_at_ms),
      }), organisationView };
    },
    async listApiKeys(filter) {
      const rows = await db.apiKey.findMany({
        where: {
          ...(filter.organisation === undefined ? {} : { organisation: filter.organisation }),
          ...(filter.kind === undefined ? {} : { subjectKind: filter.kind }),
        },
        orderBy: { createdAtMs: "asc" },
      });
      return rows.map(apiKeyFromRow);
    },
    async revokeApiKey(id, at) {
      const { count } = await db.apiKey.updateMany({ where: { id, revokedAtMs: null }, data: { revokedAtMs: BigInt(at.getTime()) } });
      if (count > 0) await db.apiSession.deleteMany({ where: { credentialId: `key:${id}` } });
      return count > 0;
    },
    async insertSession(record) {
      // Expired sessions and used or expired nonces are worthless: prune them as new sessions open,
      // so the tables stay as small as the number of live sign-ins.
      const nowMs = BigInt(Date.now());
      await db.apiSession.deleteMany({ where: { expiresAtMs: { lt: nowMs } } });
      await db.siweNonce.deleteMany({ where: { OR: [{ expiresAtMs: { lt: nowMs } }, { usedAtMs: { not: null } }] } });
      await db.apiSession.create({
        data: {
          id: record.id,
          secretHash: record.secretHash,
          ...subjectToRow(record.subject),
          credentialId: record.credentialId,
          expiresAtMs: BigInt(record.expiresAt.getTime()),
        },
      });
    },
    async findSession(id) {
      const [r] = await sql.query(`SELECT * FROM "api_session" WHERE "id" = ?`, [id]);
      if (r === undefined) return undefined;
      return {
        id: String(r.id),
        secretHash: String(r.secret_hash),
        subject: subjectFromRow({ subjectKind: String(r.subject_kind), organisation: strOrNull(r.organisation), admin: bool(r.admin) }),
        credentialId: String(r.credential_id),
        expiresAt: new Date(Number(r.expires_at_ms)),
      };
    },
    async deleteSession(id) {
      await db.apiSession.deleteMany({ where: { id } });
    },
    async insertNonce({ nonce, expiresAt }) {
      await db.siweNonce.create({ data: { nonce, expiresAtMs: BigInt(expiresAt.getTime()), usedAtMs: null } });
    },
    async consumeNonce({ nonce, now }) {
      // One conditional UPDATE: of two concurrent sign-ins with the same nonce, exactly one sees count 1.
      const nowMs = BigInt(now.getTime());
      const { count } = await db.siweNonce.updateMany({
        where: { nonce, usedAtMs: null, expiresAtMs: { gt: nowMs } },
        data: { usedAtMs: nowMs },
      });
      return count === 1;
    },
    async changeStamp() {
      // SQLite: data_version moves when another connection (the indexer, Prisma's writes) commits;
      // total_changes counts this connection's own row writes. PostgreSQL has nothing as cheap as the
      // lookup it would save (both are one round trip), so it never caches.
      if (sql.dialect !== "sqlite") return undefined;
      const [r] = await sql.query(`SELECT total_changes() AS "c", "data_version" AS "v" FROM pragma_data_version`);
      return r === undefined ? undefined : `${String(r.v)}:${String(r.c)}`;
    },
    async findOrganisation(address): Promise<OrganisationView | undefined> {
      const [row] = await sql.query(`SELECT "address", "role", "active" FROM "organisation" WHERE "address" = ?`, [address]);
      if (row === undefined) return undefined;
      const role = organisationRoleOf(String(row.role));
      return role === undefined ? undefined : { address: String(row.address), role, active: bool(row.active) };
    },
  };
}
