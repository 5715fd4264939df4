/**
 * The private keys of Hardhat's development accounts (its public, well-known mnemonic), for the
 * embedded demo only: the start script writes the demo organisations' keys into the encrypted keystore
 * the API unlocks at start-up. Never use these keys on a real network.
 */
import fs from "node:fs";
import path from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";

export const HARDHAT_DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Private key of Hardhat development account `index` (the same accounts `hardhat node` funds). */
export function hardhatDevKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}

/** The development key whose address is `address`, searching the first `count` accounts. */
export function hardhatDevKeyOf(address: string, count = 40): string | undefined {
  const mnemonic = Mnemonic.fromPhrase(HARDHAT_DEV_MNEMONIC);
  for (let i = 0; i < count; i++) {
    const wallet = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
    if (wallet.address.toLowerCase() === address.toLowerCase()) return wallet.privateKey;
  }
  return undefined;
}

/** Where `npm start` keeps the demo keystore: its own directory, never the API's default `data/keystore`. */
export const DEMO_KEYSTORE_DIR = path.join("data", "demo", "keystore");
const DEMO_MARKER = "DEMO-KEYS-ONLY";

/**
 * Empties `dir` for a new run's demo keys. Only a directory this function created (it carries a marker
 * file) is ever emptied: any other existing directory is refused, so a real keystore is never touched.
 */
export function prepareDemoKeystoreDir(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.existsSync(path.join(dir, DEMO_MARKER))) {
      throw new Error(`${dir} exists and is not a demo keystore made by npm start; refusing to touch it (move it, or set DEMO_KEYSTORE_DIR)`);
    }
    fs.rmSync(dir, { recursive: true });
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, DEMO_MARKER), "Hardhat's public development keys, re-created by every `npm start`. Never use them on a real network.\n");
}
