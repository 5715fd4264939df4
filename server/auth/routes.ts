/**
 * Routes of authentication and API key management. Secrets appear exactly once, in the response that
 * creates them; lists show ids, labels and subjects only.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../api/route";
import { credentialOf } from "../api/http";
import { Address, IsoDate } from "../api/schemas";
import { NotFoundError, ValidationError } from "../lib/appErrors";
import { ACCESS_ROLES, accessRoleOf, type Subject } from "./principal";
import type { AuthService } from "./service";

const SessionOut = z
  .object({
    token: z.string().meta({ description: "bearer token; send as `Authorization: Bearer <token>`" }),
    expiresAt: IsoDate,
    subject: z.string().meta({ description: "the organisation address, or OPERATOR / AUDITOR" }),
  })
  .meta({ id: "Session" });

const ApiKeyOut = z
  .object({
    id: z.string(),
    label: z.string(),
    subject: z.object({ kind: z.enum(["OPERATOR", "AUDITOR", "ORGANISATION"]), organisation: z.string().nullable(), admin: z.boolean() }),
    createdAt: IsoDate,
    revokedAt: IsoDate.nullable(),
  })
  .meta({ id: "ApiKey" });

const IssueApiKeyBody = z
  .object({
    kind: z.enum(["ORGANISATION", "AUDITOR", "OPERATOR"]).default("ORGANISATION"),
    organisation: Address.optional(),
    admin: z.boolean().default(false),
    label: z.string().min(1).max(100),
  })
  .meta({ id: "IssueApiKey" });

function subjectOut(subject: Subject) {
  return {
    kind: subject.kind,
    organisation: subject.kind === "ORGANISATION" ? subject.organisation : null,
    admin: subject.kind === "ORGANISATION" ? subject.admin : subject.kind === "OPERATOR",
  };
}

export function authRoutes(auth: AuthService): AnyRoute[] {
  return [
    defineRoute({
      method: "post",
      path: "/v1/auth/sessions",
      operationId: "createSession",
      secret: true,
      summary: "Exchange an API key for a short-lived bearer session token",
      tags: ["auth"],
      access: { kind: "public" },
      body: z.object({ apiKey: z.string().min(1).max(200) }),
      response: { status: 201, description: "A new session", schema: SessionOut },
      errors: [401],
      handler: async ({ body }) => {
        const session = await auth.sessionFromApiKey(body.apiKey);
        return { token: session.token, expiresAt: session.expiresAt ?? "", subject: session.subject };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/auth/siwe/nonce",
      operationId: "siweNonce",
      summary: "A one-time nonce for a Sign-In with Ethereum (EIP-4361) message",
      tags: ["auth"],
      access: { kind: "public" },
      response: {
        status: 201,
        description: "The nonce, its expiry and the domain the message must name",
        schema: z.object({ nonce: z.string(), expiresAt: IsoDate, domain: z.string() }),
      },
      handler: async () => auth.siweNonce(),
    }),
    defineRoute({
      method: "post",
      path: "/v1/auth/siwe/verify",
      operationId: "siweVerify",
      secret: true,
      summary: "Sign in with an EIP-4361 message signed by the organisation's key",
      description: "The nonce is consumed by this call whatever its outcome; the domain, chain id and expiry are checked.",
      tags: ["auth"],
      access: { kind: "public" },
      body: z.object({ message: z.string().min(1).max(4000), signature: z.string().regex(/^0x[0-9a-fA-F]+$/) }),
      response: { status: 201, description: "A new session", schema: SessionOut },
      errors: [401],
      handler: async ({ body }) => {
        const session = await auth.siweVerify(body);
        return { token: session.token, expiresAt: session.expiresAt ?? "", subject: session.subject };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/v1/auth/sessions/current",
      operationId: "endSession",
      summary: "Sign out: end the session whose token authenticates this request",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ACCESS_ROLES, allowSuspended: true },
      response: { status: 204, description: "Ended" },
      handler: async ({ req }) => {
        // The same credential that authenticated this request, whichever header carried it
        // (Authorization: Bearer, or X-API-Key); an API key is not a session and stays valid.
        await auth.endSession(credentialOf(req) ?? "");
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/me",
      operationId: "whoAmI",
      summary: "The caller: organisation, on-chain role, active flag, admin flag",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ACCESS_ROLES, allowSuspended: true },
      response: {
        status: 200,
        description: "The authenticated principal",
        schema: z.object({
          role: z.enum(ACCESS_ROLES),
          organisation: z.string().nullable(),
          active: z.boolean(),
          admin: z.boolean(),
        }),
      },
      handler: async ({ principal }) => ({
        role: accessRoleOf(principal),
        organisation: principal.kind === "ORGANISATION" ? principal.organisation : null,
        active: principal.kind === "ORGANISATION" ? principal.active : true,
        admin: principal.kind === "ORGANISATION" ? principal.admin : principal.kind === "OPERATOR",
      }),
    }),
    defineRoute({
      method: "post",
      path: "/v1/api-keys",
      operationId: "issueApiKey",
      secret: true,
      summary: "Issue an API key (operator: any; organisation admin: its own organisation). The key is shown once.",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] },
      body: IssueApiKeyBody,
      response: {
        status: 201,
        description: "The new key; store it now, it cannot be shown again",
        schema: z.object({ id: z.string(), apiKey: z.string(), label: z.string() }),
      },
      handler: async ({ body, principal }) => {
        let subject: Subject;
        if (body.kind === "ORGANISATION") {
          const organisation = body.organisation ?? (principal.kind === "ORGANISATION" ? principal.organisation : undefined);
          if (organisation === undefined) {
            throw new ValidationError("organisation is required", [{ field: "body.organisation", message: "required", code: "invalid_type" }]);
          }
          subject = { kind: "ORGANISATION", organisation, admin: body.admin };
        } else {
          subject = { kind: body.kind };
        }
        const issued = await auth.issueApiKey({ issuer: principal, subject, label: body.label });
        return { id: issued.id, apiKey: issued.token, label: body.label };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/api-keys",
      operationId: "listApiKeys",
      summary: "API keys the caller manages (never their secrets)",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] },
      response: { status: 200, description: "Keys", schema: z.object({ items: z.array(ApiKeyOut) }) },
      handler: async ({ principal }) => ({
        items: (await auth.listApiKeys(principal)).map((k) => ({
          id: k.id,
          label: k.label,
          subject: subjectOut(k.subject),
          createdAt: k.createdAt.toISOString(),
          revokedAt: k.revokedAt === null ? null : k.revokedAt.toISOString(),
        })),
      }),
    }),
    defineRoute({
      method: "delete",
      path: "/v1/api-keys/{id}",
      operationId: "revokeApiKey",
      summary: "Revoke an API key (and every session made from it)",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] },
      params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }),
      response: { status: 204, description: "Revoked" },
      errors: [404],
      handler: async ({ params, principal }) => {
        if (!(await auth.revokeApiKey(principal, params.id))) throw new NotFoundError("API key", params.id);
      },
    }),
  ];
}
