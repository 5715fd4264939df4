/**
 * The authentication store over the database: API keys, sessions and SIWE nonces (api.prisma), and the
 * organisation projection (chain.prisma, read only).
 */
import type { PrismaClient, Sql } from "../db/client";
import { big, bool, strOrNull } from "../db/codec";
import { canonicalDuties, ORGANISATION_ROLES, parseDuties, type OrganisationRole, type Subject } from "./principal";
import type { ApiKeyRecord, AuthStore, OrganisationView, UserRecord } from "./store";

interface SubjectColumns {
  subjectKind: string;
  organisation: string | null;
  admin: boolean;
  userId: string | null;
}

function subjectFromRow(row: SubjectColumns): Subject {
  if (row.subjectKind === "ORGANISATION" && row.organisation !== null) {
    return { kind: "ORGANISATION", organisation: row.organisation, admin: row.admin, ...(row.userId === null ? {} : { userId: row.userId }) };
  }
  if (row.subjectKind === "OPERATOR" || row.subjectKind === "AUDITOR") return { kind: row.subjectKind };
  throw new Error(`corrupt credential subject ${row.subjectKind}`);
}

function subjectToRow(subject: Subject): SubjectColumns {
  return subject.kind === "ORGANISATION"
    ? { subjectKind: subject.kind, organisation: subject.organisation, admin: subject.admin, userId: subject.userId ?? null }
    : { subjectKind: subject.kind, organisation: null, admin: subject.kind === "OPERATOR", userId: null };
}

function userFromRow(r: { id: string; organisation: string; name: string; duties: string; createdBy: string; createdAtMs: bigint; disabledAtMs: bigint | null }): UserRecord {
  return {
    id: r.id,
    organisation: r.organisation,
    name: r.name,
    duties: parseDuties(r.duties),
    createdBy: r.createdBy,
    createdAt: new Date(Number(r.createdAtMs)),
    disabledAt: r.disabledAtMs === null ? null : new Date(Number(r.disabledAtMs)),
  };
}

/** A user row read by plain SQL (snake_case columns, optionally prefixed). */
function userFromSql(r: Record<string, unknown>, prefix = ""): UserRecord {
  const at = (k: string) => r[`${prefix}${k}`];
  return userFromRow({
    id: String(at("id")),
    organisation: String(at("organisation")),
    name: String(at("name")),
    duties: String(at("duties")),
    createdBy: String(at("created_by")),
    createdAtMs: big(at("created_at_ms")),
    disabledAtMs: at("disabled_at_ms") === null || at("disabled_at_ms") === undefined ? null : big(at("disabled_at_ms")),
  });
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
    userId: string | null;
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
      // The key, its user and its organisation's on-chain role and state in one query: this runs on every request.
      const [r] = await sql.query(
        `SELECT k.*, o."address" AS "o_address", o."role" AS "o_role", o."active" AS "o_active",
                u."id" AS "u_id", u."organisation" AS "u_organisation", u."name" AS "u_name", u."duties" AS "u_duties",
                u."created_by" AS "u_created_by", u."created_at_ms" AS "u_created_at_ms", u."disabled_at_ms" AS "u_disabled_at_ms"
           FROM "api_key" k LEFT JOIN "organisation" o ON o."address" = k."organisation"
                LEFT JOIN "organisation_user" u ON u."id" = k."user_id"
          WHERE k."id" = ?`,
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
        userId: strOrNull(r.user_id),
        label: String(r.label),
        createdBy: String(r.created_by),
        createdAtMs: big(r.created_at_ms),
        revokedAtMs: r.revoked_at_ms === null || r.revoked_at_ms === undefined ? null : big(r.revoked_at_ms),
      }), organisationView, userView: r.u_id === null || r.u_id === undefined ? null : userFromSql(r, "u_") };
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
        subject: subjectFromRow({ subjectKind: String(r.subject_kind), organisation: strOrNull(r.organisation), admin: bool(r.admin), userId: strOrNull(r.user_id) }),
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
    async insertUser(record) {
      await db.organisationUser.create({ data: userToData(record) });
    },
    async ensureUser(record) {
      await db.organisationUser.upsert({ where: { id: record.id }, create: userToData(record), update: {} });
      const row = await db.organisationUser.findUnique({ where: { id: record.id } });
      if (row === null) throw new Error(`user ${record.id} vanished`);
      return userFromRow(row);
    },
    async findUser(id) {
      const [r] = await sql.query(`SELECT * FROM "organisation_user" WHERE "id" = ?`, [id]);
      return r === undefined ? undefined : userFromSql(r);
    },
    async listUsers(organisation) {
      const rows = await db.organisationUser.findMany({ where: { organisation }, orderBy: [{ createdAtMs: "asc" }, { id: "asc" }] });
      return rows.map(userFromRow);
    },
    async changeUser({ id, duties, disableAt }) {
      return db.$transaction(async (tx) => {
        const target = await tx.organisationUser.findUnique({ where: { id } });
        if (target === null) return "NotFound" as const;
        // One change per organisation at a time (its users' rows locked on PostgreSQL; SQLite has one
        // writer), so "is anyone else still an admin?" stays true until this commits.
        if (sql.dialect === "postgres") {
          await tx.$queryRawUnsafe(`SELECT "id" FROM "organisation_user" WHERE "organisation" = $1 FOR UPDATE`, target.organisation);
        }
        const users = await tx.organisationUser.findMany({ where: { organisation: target.organisation, disabledAtMs: null } });
        const adminAfter = users.some((u) => {
          if (u.id !== id) return parseDuties(u.duties).includes("admin");
          if (disableAt !== undefined) return false;
          return (duties ?? parseDuties(u.duties)).includes("admin");
        });
        if (!adminAfter) return "LastAdmin" as const;
        if (disableAt !== undefined) {
          const at = BigInt(disableAt.getTime());
          await tx.organisationUser.update({ where: { id }, data: { disabledAtMs: at } });
          const keys = await tx.apiKey.findMany({ where: { userId: id, revokedAtMs: null }, select: { id: true } });
          await tx.apiKey.updateMany({ where: { userId: id, revokedAtMs: null }, data: { revokedAtMs: at } });
          await tx.apiSession.deleteMany({ where: { OR: [{ userId: id }, { credentialId: { in: keys.map((k) => `key:${k.id}`) } }] } });
        } else if (duties !== undefined) {
          await tx.organisationUser.update({ where: { id }, data: { duties: canonicalDuties(duties).join(",") } });
        }
        return "changed" as const;
      });
    },
    async findOrganisation(address): Promise<OrganisationView | undefined> {
      const [row] = await sql.query(`SELECT "address", "role", "active" FROM "organisation" WHERE "address" = ?`, [address]);
      if (row === undefined) return undefined;
      const role = organisationRoleOf(String(row.role));
      return role === undefined ? undefined : { address: String(row.address), role, active: bool(row.active) };
    },
  };
}

function userToData(record: UserRecord) {
  return {
    id: record.id,
    organisation: record.organisation,
    name: record.name,
    duties: canonicalDuties(record.duties).join(","),
    createdBy: record.createdBy,
    createdAtMs: BigInt(record.createdAt.getTime()),
    disabledAtMs: record.disabledAt === null ? null : BigInt(record.disabledAt.getTime()),
  };
}
