/**
 * Who signs for an organisation (`GET /v1/signing`), and the operator routes of the custodial keystore:
 * create or import an organisation's key without shell access
 * to an API host. The key is written encrypted to API_KEYSTORE_DIR — the directory every API process
 * reads — and every process loads it before its next write (server/signing/keyring.ts), so an organisation
 * registered with that address can write through any process at once, without a restart. No answer ever
 * carries a private key or a passphrase.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { AddressOut } from "../../api/schemas";
import { ORGANISATION_ROLES } from "../../auth/principal";
import { organisationOf } from "../access";
import type { KeystoreService } from "./service";

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

export function keystoreRoutes(service: KeystoreService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/signing",
      operationId: "whoSigns",
      summary: "The caller's organisation: whether this server signs for it (it holds the key) or its own wallet signs the EIP-712 typed data of confirmations and quotes",
      tags: ["keystore"],
      access: { kind: "authenticated", roles: ORGANISATION_ROLES },
      response: {
        status: 200,
        description: "Who signs",
        schema: z.object({ signsWith: z.enum(["SERVER", "WALLET"]) }).meta({ id: "Signing" }),
      },
      handler: async ({ principal }) => ({ signsWith: await service.signsWith(organisationOf(principal) as string) }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/custodial-keys",
      operationId: "listCustodialKeys",
      summary: "Operator: the keys in the custodial keystore (addresses only) and whether this process has them unlocked",
      tags: ["keystore"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      response: { status: 200, description: "The keystore's keys", schema: z.object({ items: z.array(CustodialKeyOut) }) },
      errors: [503],
      handler: async () => ({ items: await service.list() }),
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
      handler: ({ principal }) => service.create(principal.credentialId),
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
      handler: ({ principal, body }) => service.importKeystore(principal.credentialId, body),
    }),
  ];
}
