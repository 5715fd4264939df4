/**
 * The custodial keys an API process holds, kept in step with the keystore directory (API_KEYSTORE_DIR)
 * that every API process reads: a key created or imported through one process (or by `npm run keystore`)
 * is written there once, encrypted, and every process loads it before its next write — no restart.
 *
 * `organisations` is the live map the signer registry reads at each send; this module is the only code
 * that adds to it. Keys are never removed from a running process (a key the chain still knows must stay
 * usable for what is pending). Private keys and the passphrase never leave this module's objects: nothing
 * here logs them, and errors name files and addresses, never secrets.
 */
import fs from "node:fs";
import { Wallet, type Signer } from "ethers";
import type { Logger } from "../lib/logger";
import { OPERATOR_FILE, keystoreFiles, readKeystoreFile, writeKeystore } from "./keystore";

export interface KeyringEntry {
  /** Lower-case address. */
  address: string;
  operator: boolean;
  /** Whether this process has unlocked it (false: a file it could not decrypt). */
  loaded: boolean;
}

export interface Keyring {
  /** Lower-case address → wallet: the organisations' custodial signers (grows as keys appear). */
  readonly organisations: Map<string, Signer>;
  /** The platform operator's key (operator.json), unlocked at start-up. */
  readonly operator: Signer | undefined;
  /**
   * Unlocks the keystore files that appeared since the last look (written by another process or by
   * `npm run keystore`). Cheap when nothing changed (one directory listing); concurrent calls share one run.
   */
  refresh(): Promise<string[]>;
  /** A new random organisation key, written encrypted (never over an existing file) and loaded here. */
  create(): Promise<string>;
  /** An existing key from an encrypted JSON keystore, re-encrypted with this keystore's passphrase. */
  importKeystore(input: { keystore: string; passphrase: string }): Promise<string>;
  /** What the directory holds and whether this process has it unlocked. */
  list(): KeyringEntry[];
}

/** The import could not be read: a wrong passphrase or not a JSON keystore (the message names no secret). */
export class KeystoreImportError extends Error {
  override name = "KeystoreImportError";
}

/** The key already has a keystore file (it is never overwritten). */
export class KeystoreExistsError extends Error {
  override name = "KeystoreExistsError";
  constructor(readonly address: string) {
    super(`a keystore for ${address} already exists`);
  }
}

export async function openKeyring(input: {
  dir: string;
  passphrase: string;
  /** Below ethers' default only for tests (a weaker file, quicker to unlock); production keeps the default. */
  scryptN?: number;
  logger?: Logger;
}): Promise<Keyring> {
  const organisations = new Map<string, Signer>();
  /** File name → the address it held, or null when it could not be decrypted (not retried until it changes). */
  const seen = new Map<string, { address: string | null; mtimeMs: number }>();
  let operator: Signer | undefined;
  let running: Promise<string[]> | undefined;

  async function scan(): Promise<string[]> {
    const added: string[] = [];
    for (const file of keystoreFiles(input.dir)) {
      let mtimeMs: number;
      try {
        mtimeMs = fs.statSync(`${input.dir}/${file}`).mtimeMs;
      } catch {
        continue; // removed between the listing and now
      }
      const known = seen.get(file);
      if (known !== undefined && (known.address !== null || known.mtimeMs === mtimeMs)) continue;
      try {
        const entry = await readKeystoreFile({ dir: input.dir, file, passphrase: input.passphrase });
        seen.set(file, { address: entry.address, mtimeMs });
        if (entry.operator) {
          operator ??= entry.wallet;
        } else if (!organisations.has(entry.address)) {
          organisations.set(entry.address, entry.wallet);
          added.push(entry.address);
        }
      } catch (e) {
        seen.set(file, { address: null, mtimeMs });
        input.logger?.warn({ file, err: (e as Error).message }, "keystore: a file could not be unlocked; skipped until it changes");
      }
    }
    if (added.length > 0) input.logger?.info({ added }, "keystore: custodial keys loaded");
    return added;
  }

  // At start-up a file that cannot be unlocked stops the process (a wrong passphrase must not go unnoticed).
  for (const file of keystoreFiles(input.dir)) {
    const entry = await readKeystoreFile({ dir: input.dir, file, passphrase: input.passphrase });
    seen.set(file, { address: entry.address, mtimeMs: fs.statSync(`${input.dir}/${file}`).mtimeMs });
    if (entry.operator) operator = entry.wallet;
    else organisations.set(entry.address, entry.wallet);
  }

  async function store(wallet: Wallet): Promise<string> {
    const address = wallet.address.toLowerCase();
    const operatorAddress = operator === undefined ? undefined : (await operator.getAddress()).toLowerCase();
    if (organisations.has(address) || address === operatorAddress) throw new KeystoreExistsError(address);
    try {
      await writeKeystore({ dir: input.dir, passphrase: input.passphrase, keys: [{ privateKey: wallet.privateKey }], ...(input.scryptN === undefined ? {} : { scryptN: input.scryptN }) });
    } catch (e) {
      if (/already exists/.test((e as Error).message)) throw new KeystoreExistsError(address);
      throw e;
    }
    seen.set(`${address}.json`, { address, mtimeMs: fs.statSync(`${input.dir}/${address}.json`).mtimeMs });
    organisations.set(address, wallet);
    input.logger?.info({ address }, "keystore: custodial key written and loaded");
    return address;
  }

  return {
    organisations,
    get operator() {
      return operator;
    },
    refresh() {
      running ??= scan().finally(() => {
        running = undefined;
      });
      return running;
    },
    create: () => store(new Wallet(Wallet.createRandom().privateKey)),
    async importKeystore({ keystore, passphrase }) {
      let wallet: Wallet;
      try {
        wallet = new Wallet((await Wallet.fromEncryptedJson(keystore, passphrase)).privateKey);
      } catch {
        throw new KeystoreImportError("the keystore could not be decrypted with the passphrase given (or is not an encrypted JSON keystore)");
      }
      return store(wallet);
    },
    list() {
      const entries: KeyringEntry[] = [];
      for (const file of keystoreFiles(input.dir)) {
        const known = seen.get(file);
        const address = known?.address ?? addressInFile(`${input.dir}/${file}`);
        if (address === undefined) continue;
        entries.push({ address, operator: file === OPERATOR_FILE, loaded: known?.address != null });
      }
      return entries;
    },
  };
}

/** The (public) address an encrypted keystore names, without decrypting it. */
function addressInFile(file: string): string | undefined {
  try {
    const { address } = JSON.parse(fs.readFileSync(file, "utf8")) as { address?: unknown };
    return typeof address === "string" && /^(0x)?[0-9a-fA-F]{40}$/.test(address) ? `0x${address.replace(/^0x/, "").toLowerCase()}` : undefined;
  } catch {
    return undefined;
  }
}
