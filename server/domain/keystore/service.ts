/**
 * The custodial keystore as the operator manages it through the API: list, create and import
 * organisation keys in the keyring every API process reads (server/signing/keyring.ts). The keyring's
 * refusals become the API's typed errors here, and every key written is audited. Nothing here ever returns
 * a private key or a passphrase.
 */
import { AppError, ConflictError, ValidationError } from "../../lib/appErrors";
import { KeystoreExistsError, KeystoreImportError, type Keyring } from "../../signing/keyring";
import type { DomainContext } from "../context";
import { audit } from "../tx";

export type CustodialKeyKind = "ORGANISATION" | "OPERATOR";

export interface CustodialKey {
  address: string;
  kind: CustodialKeyKind;
  /** Whether the process that answered has the key unlocked. */
  loaded: boolean;
}

/** The API holds no keystore (API_KEYSTORE_PASSPHRASE unset, or signers given by the embedding code). */
export class KeystoreNotConfiguredError extends AppError {
  constructor() {
    super({ code: "KeystoreNotConfigured", status: 503, message: "this API process has no custodial keystore (set API_KEYSTORE_DIR and API_KEYSTORE_PASSPHRASE)" });
  }
}

export function createKeystoreService(ctx: DomainContext, keyring: Keyring | undefined) {
  const need = (): Keyring => {
    if (keyring === undefined) throw new KeystoreNotConfiguredError();
    return keyring;
  };

  /** Writes a key through `write`, mapping the keyring's refusals to API errors, and audits it. */
  async function stored(write: (k: Keyring) => Promise<string>, action: string, actor: string): Promise<CustodialKey> {
    let address: string;
    try {
      address = await write(need());
    } catch (e) {
      if (e instanceof KeystoreExistsError) throw new ConflictError("KeystoreExists", e.message, { address: e.address });
      if (e instanceof KeystoreImportError) throw new ValidationError(e.message, [{ field: "body.keystore", message: e.message, code: "keystore_locked" }]);
      throw e;
    }
    await audit(ctx, { actor, action, target: address });
    return { address, kind: "ORGANISATION", loaded: true };
  }

  return {
    /** The keystore's keys (addresses only), after loading what other processes added. */
    async list(): Promise<CustodialKey[]> {
      const k = need();
      await k.refresh();
      return k.list().map((e) => ({ address: e.address, kind: e.operator ? "OPERATOR" : "ORGANISATION", loaded: e.loaded }));
    },
    /**
     * Who signs for `organisation`: this server (it holds the key) or the organisation's own wallet, which
     * then signs the EIP-712 typed data of confirmations and quotes for the API to relay.
     */
    async signsWith(organisation: string): Promise<"SERVER" | "WALLET"> {
      // A key another process added since is loaded before answering "wallet".
      if (ctx.chain.signers.signerOf(organisation) === undefined && keyring !== undefined) await keyring.refresh();
      return ctx.chain.signers.signerOf(organisation) === undefined ? "WALLET" : "SERVER";
    },
    /** A new random organisation key. */
    create(actor: string): Promise<CustodialKey> {
      return stored((k) => k.create(), "custodialKey.create", actor);
    },
    /** An organisation's existing key from an encrypted JSON keystore, re-encrypted with the API's passphrase. */
    importKeystore(actor: string, input: { keystore: string; passphrase: string }): Promise<CustodialKey> {
      return stored((k) => k.importKeystore(input), "custodialKey.import", actor);
    },
  };
}

export type KeystoreService = ReturnType<typeof createKeystoreService>;
