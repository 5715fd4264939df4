/**
 * Operator routes of the custodial keystore: create or import an organisation's key without shell access
 * to an API host. The key is written encrypted to API_KEYSTORE_DIR — the directory every API process
 * reads — and every process loads it before its next write (server/signing/keyring.ts), so an organisation
 * registered with that address can write through any process at once, without a restart. No answer ever
 * carries a private key or a passphrase.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { AddressOut } from "../../api/schemas";
import { AppError, ConflictError, ValidationError } from "../../lib/appErrors";
import { KeystoreExistsError, KeystoreImportError, type Keyring } from "../../signing/keyring";
import type { DomainContext } from "../context";
import { audit } from "../tx";

const CustodialKeyOut = z
  .object({
    address: AddressOut,
    kind: z.enum(["ORGANISATION", "OPERATOR"]),
    loaded: z.boolean().meta({ description: "whether the process that answered has the key unlocked" }),
  })
  .meta({ id: "CustodialKey" });

const ImportBody = z
  .object({
    keystore: z.string().min(2).max(16_384).meta({ description: "an encrypted JSON keystore (ethers / geth / Web3 Secret Storage), as text" }),
    passphrase: z.string().min(1).max(1_024).meta({ description: "the passphrase that unlocks `keystore` (used once, never stored)" }),
  })
  .meta({ id: "CustodialKeyImport" });

/** The API holds no keystore (API_KEYSTORE_PASSPHRASE unset, or signers given by the embedding code). */
class KeystoreNotConfiguredError extends AppError {
  constructor() {
    super({ code: "KeystoreNotConfigured", status: 503, message: "this API process has no custodial keystore (set API_KEYSTORE_DIR and API_KEYSTORE_PASSPHRASE)" });
  }
}

export function keystoreRoutes(ctx: DomainContext, keyring: Keyring | undefined): AnyRoute[] {
  const need = (): Keyring => {
    if (keyring === undefined) throw new KeystoreNotConfiguredError();
    return keyring;
  };
  const stored = async (write: (k: Keyring) => Promise<string>, action: string, actor: string) => {
    let address: string;
    try {
      address = await write(need());
    } catch (e) {
      if (e instanceof KeystoreExistsError) throw new ConflictError("KeystoreExists", e.message, { address: e.address });
      if (e instanceof KeystoreImportError) throw new ValidationError(e.message, [{ field: "body.keystore", message: e.message, code: "keystore_locked" }]);
      throw e;
    }
    await audit(ctx, { actor, action, target: address });
    return { address, kind: "ORGANISATION" as const, loaded: true };
  };
  return [
    defineRoute({
      method: "get",
      path: "/v1/custodial-keys",
      operationId: "listCustodialKeys",
      summary: "Operator: the keys in the custodial keystore (addresses only) and whether this process has them unlocked",
      tags: ["keystore"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      response: { status: 200, description: "The keystore's keys", schema: z.object({ items: z.array(CustodialKeyOut) }) },
      errors: [503],
      handler: async () => {
        const k = need();
        await k.refresh();
        return { items: k.list().map((e) => ({ address: e.address, kind: e.operator ? ("OPERATOR" as const) : ("ORGANISATION" as const), loaded: e.loaded })) };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/custodial-keys",
      operationId: "createCustodialKey",
      summary: "Operator: create a new organisation key in the custodial keystore (register its address next, with POST /v1/organisations)",
      tags: ["keystore"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      idempotent: "optional",
      response: { status: 201, description: "Written encrypted and loaded; every API process loads it before its next write", schema: CustodialKeyOut },
      errors: [503],
      handler: async ({ principal }) => stored((k) => k.create(), "custodialKey.create", principal.credentialId),
    }),
    defineRoute({
      method: "post",
      path: "/v1/custodial-keys/import",
      operationId: "importCustodialKey",
      summary: "Operator: import an organisation's existing key from an encrypted JSON keystore (re-encrypted with the API's passphrase)",
      tags: ["keystore"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      body: ImportBody,
      // No Idempotency-Key: its stored fingerprint would be a fast hash over the passphrase. A retry of a
      // completed import answers 409 KeystoreExists, which is just as safe.
      response: { status: 201, description: "Written encrypted and loaded", schema: CustodialKeyOut },
      errors: [409, 503],
      handler: async ({ principal, body }) => stored((k) => k.importKeystore(body), "custodialKey.import", principal.credentialId),
    }),
  ];
}
