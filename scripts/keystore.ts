// `npm run keystore -- <command>`: the API's custodial keystore (API_KEYSTORE_DIR, encrypted with
// API_KEYSTORE_PASSPHRASE), managed by an operator instead of by hand.
//   create [--operator]       a new random key; prints its address (register that address on chain)
//   import [--operator]       an existing key: from KEYSTORE_IMPORT_FILE (a JSON keystore, unlocked with
//                             KEYSTORE_IMPORT_PASSPHRASE) or KEYSTORE_IMPORT_PRIVATE_KEY; re-encrypted here
//   list                      the addresses the directory holds (nothing is decrypted)
// `--operator` writes operator.json, the platform operator's key; otherwise <address>.json, an
// organisation's. A file is never replaced. Private keys are never printed. Every API process reads the
// same directory and loads a key that appears there before its next write (docs/api.md, Custodial keys).
import fs from "node:fs";
import path from "node:path";
import { Wallet } from "ethers";
import { z } from "zod";
import { ConfigError, intVar, parseEnv } from "../server/config/env";
import { loadApiConfig } from "../server/config/api";
import { writeKeystore } from "../server/signing/keystore";

const importSchema = z.object({
  KEYSTORE_IMPORT_FILE: z.string().min(1).optional(),
  KEYSTORE_IMPORT_PASSPHRASE: z.string().min(1).optional(),
  /** ethers' default scrypt cost unless lowered (tests and CI only: a lower cost is a weaker key file). */
  KEYSTORE_SCRYPT_N: intVar({ min: 1024 }).optional(),
});

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const operator = rest.includes("--operator");
  const api = loadApiConfig(process.env);
  const dir = api.API_KEYSTORE_DIR;
  if (command === "list") {
    if (!fs.existsSync(dir)) return console.log(`${dir}: no keystore yet`);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const { address } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { address?: string };
      console.log(`${file === "operator.json" ? "operator    " : "organisation"}  0x${(address ?? "?").replace(/^0x/, "")}  ${file}`);
    }
    return;
  }
  if (command !== "create" && command !== "import") throw new ConfigError("usage: npm run keystore -- create|import [--operator] | list");
  if (api.API_KEYSTORE_PASSPHRASE === undefined) throw new ConfigError("API_KEYSTORE_PASSPHRASE: required (the keystore is encrypted with it)");
  // Read the import variables without echoing them: they hold a key or a passphrase.
  const env = parseEnv(importSchema, { ...process.env, KEYSTORE_IMPORT_PRIVATE_KEY: undefined });
  let wallet: Wallet;
  if (command === "create") {
    wallet = new Wallet(Wallet.createRandom().privateKey);
  } else if (env.KEYSTORE_IMPORT_FILE !== undefined) {
    if (env.KEYSTORE_IMPORT_PASSPHRASE === undefined) throw new ConfigError("KEYSTORE_IMPORT_PASSPHRASE: required with KEYSTORE_IMPORT_FILE");
    try {
      wallet = new Wallet((await Wallet.fromEncryptedJson(fs.readFileSync(env.KEYSTORE_IMPORT_FILE, "utf8"), env.KEYSTORE_IMPORT_PASSPHRASE)).privateKey);
    } catch {
      throw new ConfigError(`KEYSTORE_IMPORT_FILE: cannot read or decrypt ${env.KEYSTORE_IMPORT_FILE}`);
    }
  } else {
    const raw = process.env.KEYSTORE_IMPORT_PRIVATE_KEY;
    if (raw === undefined || !/^(0x)?[0-9a-fA-F]{64}$/.test(raw)) throw new ConfigError("KEYSTORE_IMPORT_FILE or KEYSTORE_IMPORT_PRIVATE_KEY (a 32-byte hex key): one is required");
    wallet = new Wallet(raw.startsWith("0x") ? raw : `0x${raw}`);
  }
  const [file] = await writeKeystore({
    dir,
    passphrase: api.API_KEYSTORE_PASSPHRASE,
    keys: [{ privateKey: wallet.privateKey, operator }],
    ...(env.KEYSTORE_SCRYPT_N === undefined ? {} : { scryptN: env.KEYSTORE_SCRYPT_N }),
  });
  console.log(`${operator ? "operator" : "organisation"} key ${wallet.address} written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError || (e instanceof Error && /already exists/.test(e.message)) ? e.message : e);
  process.exit(1);
});
