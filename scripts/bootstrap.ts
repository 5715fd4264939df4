// `npm run bootstrap [-- --out <file>] [-- --force]`: issues the first operator API key of the database
// named by DATABASE_URL (migrating it first), once. The key goes to an interactive terminal, or with
// --out to a new file readable only by its owner (0600); with neither (standard output captured by a
// supervisor or CI) the command refuses before issuing anything. Run it once per database, before or
// after the API processes start; they never issue keys themselves.
import fs from "node:fs";
import { loadDatabaseConfig } from "../server/config";
import { ConfigError } from "../server/config/env";
import { migrate } from "../server/db/migrate";
import { openSql, type Sql } from "../server/db/sql";
import { createSecretFile, issueBootstrapKey } from "../server/auth/bootstrap";

export class BootstrapRefusedError extends Error {
  override name = "BootstrapRefusedError";
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const out = option(argv, "--out");
  const force = argv.includes("--force");
  if (argv.includes("--out") && (out === undefined || out.startsWith("--"))) throw new ConfigError("--out needs a file name");
  if (out === undefined && !process.stdout.isTTY) {
    throw new BootstrapRefusedError(
      "standard output is not a terminal (a log collector would keep the key): run it in a terminal, or give --out <file> to write the key to a new owner-only file",
    );
  }
  const { url } = loadDatabaseConfig(process.env);
  // The file first: a key is never issued that cannot be delivered.
  let fd: number | undefined;
  if (out !== undefined) {
    try {
      fd = createSecretFile(out);
    } catch (e) {
      throw new BootstrapRefusedError(`cannot create ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it must not exist yet`);
    }
  }
  let delivered = false;
  // Raw SQL and the migration runner only: no ORM client to load for one statement.
  let sql: Sql | undefined;
  try {
    sql = openSql(url);
    await migrate({ sql });
    const outcome = await issueBootstrapKey(sql, { force });
    if (!outcome.issued) {
      throw new BootstrapRefusedError(
        `already bootstrapped: the database has ${outcome.existing} active operator API key(s). Issue further keys with one (POST /v1/api-keys); if every operator key is lost, run again with --force`,
      );
    }
    if (fd !== undefined) {
      fs.writeSync(fd, `${outcome.token}\n`);
      fs.closeSync(fd);
      console.log(`operator API key ${outcome.id} written to ${out} (readable by its owner only)`);
    } else {
      console.log(`operator API key (shown once, keep it): ${outcome.token}`);
    }
    delivered = true;
  } finally {
    await sql?.close();
    if (fd !== undefined && !delivered) {
      fs.closeSync(fd);
      fs.rmSync(out!, { force: true });
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError || e instanceof BootstrapRefusedError ? e.message : e);
  process.exit(1);
});
