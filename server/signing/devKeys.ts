/**
 * The private keys of Hardhat's development accounts (its public, well-known mnemonic), for the
 * embedded demo only: the start script writes the demo organisations' keys into the encrypted keystore
 * the API unlocks at start-up. Never use these keys on a real network.
 */
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
