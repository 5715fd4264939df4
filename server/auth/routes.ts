/**
 * Routes of authentication and API key management. Secrets appear exactly once, in the response that
 * creates them; lists show ids, labels and subjects only.
 */
import { z } from "zod";
import type { Request, Response } from "express";
import { defineRoute, type AnyRoute } from "../api/route";
import { Address, IsoDate } from "../api/schemas";
import { requestCredential } from "../api/http";
import { NotFoundError, ValidationError } from "../lib/appErrors";
import { clearSessionCookie, csrfTokenOf, setSessionCookie } from "./cookies";
import { ACCESS_ROLES, accessRoleOf, DUTIES, type Subject } from "./principal";
import { UserId, UserRef } from "./userSchemas";
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
    subject: z.object({
      kind: z.enum(["OPERATOR", "AUDITOR", "ORGANISATION"]),
      organisation: z.string().nullable(),
      admin: z.boolean().meta({ description: "what the key was issued with; its user's duties decide what it may do now" }),
      userId: z.string().nullable(),
    }),
    createdAt: IsoDate,
    revokedAt: IsoDate.nullable(),
  })
  .meta({ id: "ApiKey" });

const IssueApiKeyBody = z
  .object({
    kind: z.enum(["ORGANISATION", "AUDITOR", "OPERATOR"]).default("ORGANISATION"),
    organisation: Address.optional(),
    admin: z.boolean().default(false).meta({ description: "without `userId`: whether the key's new user gets the admin duty" }),
    userId: UserId.optional().meta({ description: "the organisation user the key belongs to (an enabled user of that organisation)" }),
    label: z.string().min(1).max(100),
  })
  .meta({ id: "IssueApiKey" });

/**
 * Demo logins for the web app's picker: the seeded organisations by name. Only for a local development
 * chain (`createApp` refuses them on any other chain id), and only when the embedding script passes them.
 */
export interface DemoLogins {
  organisations: readonly { name: string; subject: string }[];
}

/** Chain ids of local development nodes (Hardhat, Anvil): the only chains demo logins may exist on. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

const BrowserSessionOut = z
  .object({
    expiresAt: IsoDate,
    subject: z.string().meta({ description: "the organisation address, or OPERATOR / AUDITOR" }),
    csrfToken: z.string().meta({ description: "send as `X-CSRF-Token` on every write this session makes" }),
  })
  .meta({ id: "BrowserSession" });

/** A signed EIP-4361 message. */
const SiweBody = z.object({ message: z.string().min(1).max(4000), signature: z.string().regex(/^0x[0-9a-fA-F]+$/) });

/** A session handed to a browser: set as the httpOnly cookie; the answer carries its CSRF token, never the token itself. */
function asBrowserSession(req: Request, res: Response, session: { token: string; expiresAt?: string | null; subject: string }) {
  setSessionCookie(req, res, session.token, session.expiresAt ?? "");
  return { expiresAt: session.expiresAt ?? "", subject: session.subject, csrfToken: csrfTokenOf(session.token) };
}

const DemoSubject = z.union([z.enum(["OPERATOR", "AUDITOR"]), Address]);

function subjectOut(subject: Subject) {
  return {
    kind: subject.kind,
    organisation: subject.kind === "ORGANISATION" ? subject.organisation : null,
    admin: subject.kind === "ORGANISATION" ? subject.admin : subject.kind === "OPERATOR",
    userId: subject.kind === "ORGANISATION" ? (subject.userId ?? null) : null,
  };
}

export function authRoutes(auth: AuthService, options: { demo?: DemoLogins } = {}): AnyRoute[] {
  const demo = options.demo;
  const demoDisabled = () => new NotFoundError("demo login", "(demo logins are only offered on a local development chain)");
  return [
    defineRoute({
      method: "post",
      path: "/v1/auth/browser-sessions",
      operationId: "createBrowserSession",
      summary: "Exchange an API key for a session kept in an httpOnly, SameSite=Strict cookie (for the web app)",
      description:
        "The session token never reaches the page's scripts. Writes authenticated by the cookie must send the returned `csrfToken` as `X-CSRF-Token`.",
      tags: ["auth"],
      access: { kind: "public" },
      body: z.object({ apiKey: z.string().min(1).max(200) }),
      response: { status: 201, description: "Signed in; the cookie is set", schema: BrowserSessionOut },
      errors: [401],
      handler: async ({ body, req, res }) => {
        const session = await auth.sessionFromApiKey(body.apiKey);
        return asBrowserSession(req, res, session);
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/auth/browser-session",
      operationId: "getBrowserSession",
      summary: "The CSRF token of the cookie session that authenticates this request (after a page reload)",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ACCESS_ROLES, allowSuspended: true },
      response: { status: 200, description: "The session's CSRF token", schema: z.object({ csrfToken: z.string() }) },
      errors: [404],
      handler: async ({ res }) => {
        const credential = requestCredential(res);
        if (credential === undefined || !credential.viaCookie) throw new NotFoundError("browser session", "(this request is not authenticated by a session cookie)");
        return { csrfToken: csrfTokenOf(credential.token) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/auth/demo-logins",
      operationId: "listDemoLogins",
      summary: "Local development chain only: the seeded organisations one can sign in as without a key",
      tags: ["auth"],
      access: { kind: "public" },
      response: {
        status: 200,
        description: "The demo organisations",
        schema: z.object({ items: z.array(z.object({ name: z.string(), subject: z.string(), role: z.enum(ACCESS_ROLES) })) }).meta({ id: "DemoLogins" }),
      },
      errors: [404],
      handler: async () => {
        if (demo === undefined) throw demoDisabled();
        const items = [];
        for (const o of demo.organisations) {
          const role = o.subject === "OPERATOR" || o.subject === "AUDITOR" ? o.subject : await auth.organisationRole(o.subject.toLowerCase());
          const subject = o.subject === "OPERATOR" || o.subject === "AUDITOR" ? o.subject : o.subject.toLowerCase();
          if (role !== undefined) items.push({ name: o.name, subject, role: role as (typeof ACCESS_ROLES)[number] });
        }
        return { items };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/auth/demo-sessions",
      operationId: "createDemoSession",
      summary: "Local development chain only: sign in as one of the demo organisations (cookie session, as browser-sessions)",
      tags: ["auth"],
      access: { kind: "public" },
      body: z.object({ subject: DemoSubject }),
      response: { status: 201, description: "Signed in; the cookie is set", schema: BrowserSessionOut },
      errors: [404],
      handler: async ({ body, req, res }) => {
        if (demo === undefined) throw demoDisabled();
        const wanted = body.subject.toLowerCase();
        const entry = demo.organisations.find((o) => o.subject.toLowerCase() === wanted);
        if (entry === undefined) throw new NotFoundError("demo login", body.subject);
        const subject: Subject =
          body.subject === "OPERATOR" || body.subject === "AUDITOR" ? { kind: body.subject } : { kind: "ORGANISATION", organisation: wanted, admin: true };
        const session = await auth.demoSession(subject);
        return asBrowserSession(req, res, session);
      },
    }),
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
      path: "/v1/auth/siwe/browser-sessions",
      operationId: "createSiweBrowserSession",
      summary: "Sign in a browser with an EIP-4361 message signed by the organisation's own wallet: a cookie session, as browser-sessions",
      description: "The same checks as /v1/auth/siwe/verify (nonce consumed whatever the outcome, domain, chain id, expiry, signature); the session is set as the httpOnly cookie and never returned.",
      tags: ["auth"],
      access: { kind: "public" },
      body: SiweBody,
      response: { status: 201, description: "Signed in; the cookie is set", schema: BrowserSessionOut },
      errors: [401],
      handler: async ({ body, req, res }) => {
        const session = await auth.siweVerify(body);
        return asBrowserSession(req, res, session);
      },
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
      body: SiweBody,
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
      access: { kind: "authenticated", roles: ACCESS_ROLES, allowSuspended: true, duty: "any" },
      response: { status: 204, description: "Ended" },
      handler: async ({ req, res }) => {
        // The same credential that authenticated this request, whichever header (or the cookie) carried
        // it; an API key is not a session and stays valid.
        const credential = requestCredential(res);
        if (credential !== undefined) await auth.endSession(credential.token);
        if (credential?.viaCookie === true) clearSessionCookie(req, res);
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/me",
      operationId: "whoAmI",
      summary: "The caller: organisation, on-chain role, active flag, admin flag, and its user with its duties",
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
          user: UserRef.extend({ duties: z.array(z.enum(DUTIES)) })
            .nullable()
            .meta({ description: "the organisation user signed in (null for the operator and auditors)" }),
        }),
      },
      handler: async ({ principal }) => ({
        role: accessRoleOf(principal),
        organisation: principal.kind === "ORGANISATION" ? principal.organisation : null,
        active: principal.kind === "ORGANISATION" ? principal.active : true,
        admin: principal.kind === "ORGANISATION" ? principal.admin : principal.kind === "OPERATOR",
        user: principal.kind === "ORGANISATION" ? { id: principal.user.id, name: principal.user.name, duties: [...principal.user.duties] } : null,
      }),
    }),
    defineRoute({
      method: "post",
      path: "/v1/api-keys",
      operationId: "issueApiKey",
      secret: true,
      summary: "Issue an API key (operator: any; organisation admin: its own organisation). The key is shown once.",
      description:
        "An organisation key belongs to a user: name it with `userId`. Without `userId` a new user is made for the key, named by its label, with every duty when `admin` is true and every duty but admin otherwise (what an organisation key could do before users existed).",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"], duty: "admin" },
      body: IssueApiKeyBody,
      response: {
        status: 201,
        description: "The new key; store it now, it cannot be shown again",
        schema: z.object({ id: z.string(), apiKey: z.string(), label: z.string(), userId: z.string().nullable().meta({ description: "the user the key belongs to (null for operator and auditor keys)" }) }),
      },
      handler: async ({ body, principal }) => {
        let subject: Subject;
        if (body.kind === "ORGANISATION") {
          const organisation = body.organisation ?? (principal.kind === "ORGANISATION" ? principal.organisation : undefined);
          if (organisation === undefined) {
            throw new ValidationError("organisation is required", [{ field: "body.organisation", message: "required", code: "invalid_type" }]);
          }
          subject = { kind: "ORGANISATION", organisation, admin: body.admin, ...(body.userId === undefined ? {} : { userId: body.userId }) };
        } else {
          subject = { kind: body.kind };
        }
        const issued = await auth.issueApiKey({ issuer: principal, subject, label: body.label });
        return { id: issued.id, apiKey: issued.token, label: body.label, userId: issued.userId ?? null };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/api-keys",
      operationId: "listApiKeys",
      summary: "API keys the caller manages (never their secrets)",
      tags: ["auth"],
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"], duty: "admin" },
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
      access: { kind: "authenticated", roles: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"], duty: "admin" },
      params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }),
      response: { status: 204, description: "Revoked" },
      errors: [404],
      handler: async ({ params, principal }) => {
        if (!(await auth.revokeApiKey(principal, params.id))) throw new NotFoundError("API key", params.id);
      },
    }),
  ];
}
