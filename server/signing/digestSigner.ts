/**
 * The seam for a KMS or HSM: a custodial signer whose private key never enters this process. Everything
 * the server signs for an organisation — transactions, EIP-712 confirmations and quotes, messages —
 * comes down to one secp256k1 signature over a 32-byte digest, which is exactly what a KMS (AWS KMS
 * `ECC_SECG_P256K1`, Google Cloud KMS `EC_SIGN_SECP256K1_SHA256`, Azure Key Vault `ES256K`) or a PKCS#11
 * HSM offers. Implement `DigestSigningKey` for the device and hand `new DigestSigner(key, provider)` to
 * the signer registry in place of a keystore wallet (StartApiServerOptions.signers); the nonce handling,
 * revert decoding and relaying above it do not change.
 *
 * An adapter for a device that answers DER (r, s) without a recovery id must find `v` by recovering
 * with both candidates and keeping the one that yields the key's address; this class checks every
 * signature it gets against the address, so a wrong one fails here, not on chain.
 */
import {
  AbstractSigner,
  Signature,
  Transaction,
  TypedDataEncoder,
  copyRequest,
  getAddress,
  hashMessage,
  recoverAddress,
  resolveAddress,
  type Provider,
  type SignatureLike,
  type TransactionLike,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

/** A key held elsewhere (a KMS, an HSM, a remote signing service): its address, and a signature of a digest. */
export interface DigestSigningKey {
  /** The key's Ethereum address. */
  readonly address: string;
  /** Signs a 32-byte digest (0x-prefixed hex); returns r, s and the recovery id (v 27/28 or yParity). */
  signDigest(digest: string): Promise<SignatureLike>;
}

/** Thrown when the device's signature does not recover to its address (a wrong key, or a wrong `v`). */
export class DigestSignerMismatchError extends Error {
  override name = "DigestSignerMismatchError";
}

export class DigestSigner extends AbstractSigner {
  readonly address: string;

  constructor(
    private readonly key: DigestSigningKey,
    provider: Provider | null = null,
  ) {
    super(provider);
    this.address = getAddress(key.address);
  }

  override async getAddress(): Promise<string> {
    return this.address;
  }

  override connect(provider: Provider | null): DigestSigner {
    return new DigestSigner(this.key, provider);
  }

  private async sign(digest: string): Promise<Signature> {
    const signature = Signature.from(await this.key.signDigest(digest));
    if (recoverAddress(digest, signature) !== this.address) {
      throw new DigestSignerMismatchError(`the signing key's signature does not recover to ${this.address}`);
    }
    return signature;
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    // As ethers' own Wallet does: resolve names, check `from`, sign the unsigned hash.
    const tx = copyRequest(request);
    const [to, from] = await Promise.all([
      tx.to == null ? undefined : resolveAddress(tx.to, this.provider),
      tx.from == null ? undefined : resolveAddress(tx.from, this.provider),
    ]);
    if (to !== undefined) tx.to = to;
    if (from !== undefined) {
      if (getAddress(from) !== this.address) throw new Error(`transaction from ${from} cannot be signed by ${this.address}`);
      delete tx.from;
    }
    const unsigned = Transaction.from(tx as TransactionLike<string>);
    unsigned.signature = await this.sign(unsigned.unsignedHash);
    return unsigned.serialized;
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    return (await this.sign(hashMessage(message))).serialized;
  }

  override async signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    const resolved = await TypedDataEncoder.resolveNames(domain, types, value, async (name) => {
      if (this.provider === null) throw new Error("cannot resolve an ENS name without a provider");
      const address = await this.provider.resolveName(name);
      if (address === null) throw new Error(`unresolved name ${name}`);
      return address;
    });
    // resolveNames is typed `any` by ethers; it returns `value` with names replaced by addresses.
    return (await this.sign(TypedDataEncoder.hash(resolved.domain, types, resolved.value as Record<string, unknown>))).serialized;
  }
}
