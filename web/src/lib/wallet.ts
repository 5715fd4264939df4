/**
 * The organisation's own wallet in the browser: an EIP-1193 provider (`window.ethereum`) through ethers'
 * BrowserProvider. Loaded only when a wallet is used (ethers stays out of the first load). The key never
 * leaves the wallet: the page asks it to sign and sends the signature.
 */
import { BrowserProvider, getAddress, type Eip1193Provider } from "ethers";
import { ApiError } from "./api/client";

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

export class WalletMissingError extends Error {
  constructor() {
    super("no browser wallet (window.ethereum)");
    this.name = "WalletMissingError";
  }
}

/** The EIP-4361 (Sign-In with Ethereum) message the API verifies, for this page's own origin. */
export function siweMessage(input: { domain: string; address: string; uri: string; chainId: number; nonce: string; issuedAt: string; expirationTime: string }): string {
  return [
    `${input.domain} wants you to sign in with your Ethereum account:`,
    getAddress(input.address),
    "",
    "Sign in to Ledgerline",
    "",
    `URI: ${input.uri}`,
    "Version: 1",
    `Chain ID: ${input.chainId}`,
    `Nonce: ${input.nonce}`,
    `Issued At: ${input.issuedAt}`,
    `Expiration Time: ${input.expirationTime}`,
  ].join("\n");
}

/** Asks the wallet for its account and chain, and for its signature of the message `build` makes for them. */
export async function signWithWallet(build: (account: { address: string; chainId: number }) => string): Promise<{ message: string; signature: string; address: string }> {
  if (window.ethereum === undefined) throw new WalletMissingError();
  const provider = new BrowserProvider(window.ethereum);
  const signer = await provider.getSigner();
  const address = await signer.getAddress();
  const { chainId } = await provider.getNetwork();
  const message = build({ address, chainId: Number(chainId) });
  return { message, signature: await signer.signMessage(message), address };
}

export class WalletAccountMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the wallet's account ${actual} is not the organisation ${expected}`);
    this.name = "WalletAccountMismatchError";
  }
}

/** EIP-712 typed data as the API gives it (eth_signTypedData_v4's shape, `EIP712Domain` included in `types`). */
export interface TypedData {
  domain: { name: string; version: string; chainId: string; verifyingContract: string };
  types: Record<string, { name: string; type: string }[]>;
  message: Record<string, string>;
}

/** Asks the wallet of `organisation` to sign `typed` (EIP-712); refuses another account's signature before asking. */
export async function signTypedDataWithWallet(organisation: string, typed: TypedData): Promise<string> {
  if (window.ethereum === undefined) throw new WalletMissingError();
  const signer = await new BrowserProvider(window.ethereum).getSigner();
  const address = await signer.getAddress();
  if (address.toLowerCase() !== organisation.toLowerCase()) throw new WalletAccountMismatchError(organisation, address);
  // ethers derives the domain's type itself and refuses it among `types`.
  const types = Object.fromEntries(Object.entries(typed.types).filter(([name]) => name !== "EIP712Domain"));
  return signer.signTypedData(typed.domain, types, typed.message);
}

/**
 * Runs `ask` against the wallet and turns its refusals into API-style errors, so that every page shows
 * them with a code in both languages: no wallet, another account than the organisation's, or any other
 * refusal (the user declined, the wallet failed) as WalletRefused.
 */
export async function askWallet<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    if (err instanceof WalletMissingError) throw new ApiError(0, "WalletMissing", err.message);
    if (err instanceof WalletAccountMismatchError) throw new ApiError(0, "WalletAccountMismatch", err.message);
    throw new ApiError(0, "WalletRefused", err instanceof Error ? err.message : String(err));
  }
}
