/**
 * Encryption at rest of a few sensitive values (an organisation's settlement bank account): AES-256-GCM
 * from node:crypto, a random 96-bit IV per value, and associated data naming the row and field the value
 * belongs to, so a ciphertext copied into another organisation's row does not open there.
 *
 * A sealed value is text: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id is the
 * first 8 bytes of SHA-256 over a label and the key, so a value sealed under another key is recognised
 * as such (`SealedKeyMismatch`) instead of failing as tampered. Never logs or returns the key or a
 * plaintext; the caller decides who may see what it opens.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";

export class SealedBoxError extends Error {
  override name = "SealedBoxError";
  constructor(
    readonly reason: "SealedKeyMismatch" | "SealedValueCorrupt",
    message: string,
  ) {
    super(message);
  }
}

export interface SealedBox {
  /** Identifies the key (not secret): stored in each sealed value. */
  readonly keyId: string;
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

/** The id a sealed value records for `key`. */
export function sealedKeyId(key: Buffer): string {
  return createHash("sha256").update("ledgerline sealed box key id\0").update(key).digest("hex").slice(0, 16);
}

export function createSealedBox(key: Buffer): SealedBox {
  if (key.length !== 32) throw new RangeError("an AES-256-GCM key is 32 bytes");
  const keyId = sealedKeyId(key);
  return {
    keyId,
    seal(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(associatedData, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [VERSION, keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
    },
    open(sealed, associatedData) {
      const parts = sealed.split(".");
      if (parts.length !== 5 || parts[0] !== VERSION) throw new SealedBoxError("SealedValueCorrupt", "not a sealed value");
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      if (id !== keyId) throw new SealedBoxError("SealedKeyMismatch", `sealed under key ${id}, the configured key is ${keyId}`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(associatedData, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      } catch (cause) {
        throw new SealedBoxError("SealedValueCorrupt", `the sealed value does not authenticate (${cause instanceof Error ? cause.message : "error"})`);
      }
    },
  };
}

/**
 * The development key the embedded system uses when API_PROFILE_ENCRYPTION_KEY is not set on a local
 * development chain. Derived from a fixed label: it protects nothing (anyone can derive it) and exists
 * so that `npm start` and the tests run without configuration. Never used on any other chain.
 */
export function developmentProfileKey(): Buffer {
  return createHash("sha256").update("ledgerline development profile encryption key - NOT A SECRET").digest();
}
