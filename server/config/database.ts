// Where the database is. SQLite file by default (the embedded system); PostgreSQL when DATABASE_URL says so.
import { z } from "zod";
import { parseEnv, urlVar, type Env } from "./env";

export const DEFAULT_DATABASE_URL = "file:./data/ledgerline.db";

const schema = z.object({
  DATABASE_URL: urlVar(["file:", "sqlite:", "postgres://", "postgresql://"]).default(DEFAULT_DATABASE_URL),
});

export interface DatabaseConfig {
  url: string;
}

export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  return { url: parseEnv(schema, env).DATABASE_URL };
}
