/**
 * The first operator API key of a database, issued by one explicit command (`npm run bootstrap`) instead
 * of by whichever API process happens to start first. With several API processes there is then exactly
 * one place the key appears: an interactive terminal, or a file only its owner can read — never standard
 * output captured by a log collector.
 *
 * Must never: issue a second operator key unless asked (`force`), print a key to a non-terminal, or
 * overwrite an existing file.
 */
import fs from "node:fs";
import path from "node:path";
import type { Sql } from "../db/sql";
import { newCredential } from "./credentials";

/** Serialises concurrent bootstraps on PostgreSQL ("LDGB"). */
const BOOTSTRAP_LOCK_KEY = 0x4c444742;

export type BootstrapOutcome =
  | { issued: true; id: string; token: string }
  | { issued: false; existing: number };

/**
 * Issues the bootstrap operator key unless an active operator key exists (or `force`). Check and insert
 * run in one transaction under a lock, so two bootstraps started together issue one key.
 */
export async function issueBootstrapKey(sql: Sql, { force = false, now = new Date() }: { force?: boolean; now?: Date } = {}): Promise<BootstrapOutcome> {
  return sql.transaction(async (tx) => {
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(?)", [BOOTSTRAP_LOCK_KEY]);
    const rows = await tx.query<{ n: number | string | bigint }>(
      "SELECT COUNT(*) AS n FROM api_key WHERE subject_kind = 'OPERATOR' AND revoked_at_ms IS NULL",
    );
    const existing = Number(rows[0]?.n ?? 0);
    if (existing > 0 && !force) return { issued: false, existing };
    const credential = newCredential("apiKey");
    await tx.run(
      "INSERT INTO api_key (id, secret_hash, subject_kind, organisation, admin, label, created_by, created_at_ms, revoked_at_ms) VALUES (?, ?, 'OPERATOR', NULL, ?, ?, 'bootstrap', ?, NULL)",
      [credential.id, credential.secretHash, true, existing > 0 ? "bootstrap operator (forced)" : "bootstrap operator", BigInt(now.getTime())],
    );
    return { issued: true, id: credential.id, token: credential.token };
  });
}

/** Creates `file` empty and readable by its owner only, before any key exists; refuses an existing file. */
export function createSecretFile(file: string): number {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  // "wx": never replace a file (it may hold a key someone still needs); the mode applies at creation.
  const fd = fs.openSync(file, "wx", 0o600);
  fs.fchmodSync(fd, 0o600); // whatever the umask did
  return fd;
}
