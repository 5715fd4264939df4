/**
 * Per-organisation keys of the embedded default: one encrypted ethers JSON keystore file per address in
 * a directory, unlocked once at start-up with a passphrase from the environment. The passphrase and the
 * private keys never leave this module's objects: nothing here logs, and errors name files, not secrets.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Wallet, type HDNodeWallet } from "ethers";

export interface KeystoreEntry {
  /** Lower-case address. */
  address: string;
  wallet: Wallet;
  /** The platform operator's key (holds OPERATOR_ROLE on the ledger), as opposed to an organisation's. */
  operator: boolean;
}

/** The platform operator's keystore file; every other file is `<address>.json`, an organisation's. */
export const OPERATOR_FILE = "operator.json";

/** The keystore files in `dir` (sorted), none when it does not exist. */
export function keystoreFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** Reads and decrypts one keystore file; a wrong passphrase throws naming the file. */
export async function readKeystoreFile(input: { dir: string; file: string; passphrase: string }): Promise<KeystoreEntry> {
  const json = fs.readFileSync(path.join(input.dir, input.file), "utf8");
  let wallet: Wallet | HDNodeWallet;
  try {
    wallet = await Wallet.fromEncryptedJson(json, input.passphrase);
  } catch {
    throw new Error(`keystore ${input.file}: cannot decrypt (wrong API_KEYSTORE_PASSPHRASE or corrupt file)`);
  }
  const plain = new Wallet(wallet.privateKey);
  return { address: plain.address.toLowerCase(), wallet: plain, operator: input.file === OPERATOR_FILE };
}

/** Reads and decrypts every `*.json` keystore in `dir`. A wrong passphrase stops start-up with the file's name. */
export async function loadKeystore(input: { dir: string; passphrase: string }): Promise<KeystoreEntry[]> {
  const entries: KeystoreEntry[] = [];
  for (const file of keystoreFiles(input.dir)) entries.push(await readKeystoreFile({ dir: input.dir, passphrase: input.passphrase, file }));
  return entries;
}

/**
 * Writes keystore files (used by the embedded start script and tests). `scryptN` below ethers' default
 * makes unlocking fast for throwaway demo keys; production keys keep the default cost. Never replaces a
 * file: an existing keystore may hold the only copy of a key (throws, naming the file).
 */
export async function writeKeystore(input: {
  dir: string;
  passphrase: string;
  keys: { privateKey: string; operator?: boolean }[];
  scryptN?: number;
}): Promise<string[]> {
  fs.mkdirSync(input.dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const key of input.keys) {
    const wallet = new Wallet(key.privateKey);
    const json =
      input.scryptN === undefined
        ? await wallet.encrypt(input.passphrase)
        : await import("ethers").then(({ encryptKeystoreJson }) =>
            encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, input.passphrase, {
              scrypt: { N: input.scryptN as number },
            }),
          );
    const file = path.join(input.dir, key.operator === true ? OPERATOR_FILE : `${wallet.address.toLowerCase()}.json`);
    // Whole or not at all: written under a temporary name, then linked into place — link(2) never replaces
    // an existing file, and an API process listing the directory never sees half a keystore.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(temp, json, { mode: 0o600, flag: "wx" });
    try {
      fs.linkSync(temp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`keystore ${file} already exists; refusing to overwrite it`, { cause: e });
      throw e;
    } finally {
      fs.rmSync(temp, { force: true });
    }
    written.push(file);
  }
  return written;
}
