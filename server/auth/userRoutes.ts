/**
 * Routes of an organisation's users (issue 12 item 2): an admin adds users with duties, changes their
 * duties, disables them and gives them API keys; the operator may do the same for any organisation and
 * auditors read. Another organisation's user answers 404, as one that does not exist; a user without
 * the admin duty is refused with 403 DutyRequired before anything is looked up.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../api/route";
import { Address } from "../api/schemas";
import type { AuthService } from "./service";
import { Duties, UserId, UserOut, userOut } from "./userSchemas";

const MANAGERS = ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
const READERS = ["OPERATOR", "AUDITOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
const UserParams = z.object({ id: UserId });

export function userRoutes(auth: AuthService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/users",
      operationId: "listUsers",
      summary: "Admin: the users of its organisation with their duties (operator, auditors: of the organisation named)",
      tags: ["users"],
      access: { kind: "authenticated", roles: READERS, duty: "admin" },
      query: z.object({ organisation: Address.optional().meta({ description: "operator and auditors: whose users" }) }),
      response: { status: 200, description: "Users, oldest first", schema: z.object({ items: z.array(UserOut) }) },
      handler: async ({ principal, query }) => ({ items: (await auth.listUsers(principal, query.organisation)).map(userOut) }),
    }),
    defineRoute({
      method: "post",
      path: "/v1/users",
      operationId: "createUser",
      summary: "Admin: add a user to its organisation with one or more duties (operator: to the organisation named)",
      tags: ["users"],
      access: { kind: "authenticated", roles: MANAGERS, duty: "admin" },
      body: z
        .object({ organisation: Address.optional().meta({ description: "the operator names the organisation; an admin's is its own" }), name: z.string().trim().min(1).max(100), duties: Duties })
        .meta({ id: "CreateUser" }),
      response: { status: 201, description: "The new user (give it a key with POST /v1/users/{id}/api-keys)", schema: UserOut },
      errors: [403],
      handler: async ({ principal, body }) => userOut(await auth.createUser(principal, body)),
    }),
    defineRoute({
      method: "get",
      path: "/v1/users/{id}",
      operationId: "getUser",
      summary: "Admin: one user of its organisation (another organisation's: 404)",
      tags: ["users"],
      access: { kind: "authenticated", roles: READERS, duty: "admin" },
      params: UserParams,
      response: { status: 200, description: "The user", schema: UserOut },
      errors: [404],
      handler: async ({ principal, params }) => userOut(await auth.getUser(principal, params.id)),
    }),
    defineRoute({
      method: "put",
      path: "/v1/users/{id}/duties",
      operationId: "setUserDuties",
      summary: "Admin: set a user's duties (409 LastAdmin when it would leave the organisation without an admin)",
      tags: ["users"],
      access: { kind: "authenticated", roles: MANAGERS, duty: "admin" },
      params: UserParams,
      body: z.object({ duties: Duties }).meta({ id: "SetUserDuties" }),
      response: { status: 200, description: "The user with its new duties (they apply to its next request)", schema: UserOut },
      errors: [404, 409],
      handler: async ({ principal, params, body }) => userOut(await auth.changeUser(principal, params.id, { duties: body.duties })),
    }),
    defineRoute({
      method: "post",
      path: "/v1/users/{id}/disable",
      operationId: "disableUser",
      summary: "Admin: disable a user: its API keys are revoked and its sessions ended (409 LastAdmin for the last enabled admin)",
      tags: ["users"],
      access: { kind: "authenticated", roles: MANAGERS, duty: "admin" },
      params: UserParams,
      response: { status: 200, description: "The disabled user", schema: UserOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => userOut(await auth.changeUser(principal, params.id, { disable: true })),
    }),
    defineRoute({
      method: "post",
      path: "/v1/users/{id}/api-keys",
      operationId: "issueUserApiKey",
      secret: true,
      summary: "Admin: issue an API key for a user of its organisation. The key is shown once.",
      tags: ["users"],
      access: { kind: "authenticated", roles: MANAGERS, duty: "admin" },
      params: UserParams,
      body: z.object({ label: z.string().min(1).max(100) }).meta({ id: "IssueUserApiKey" }),
      response: {
        status: 201,
        description: "The new key; store it now, it cannot be shown again",
        schema: z.object({ id: z.string(), apiKey: z.string(), label: z.string(), userId: z.string() }),
      },
      errors: [404, 409],
      handler: async ({ principal, params, body }) => {
        const user = await auth.getUser(principal, params.id);
        const issued = await auth.issueApiKey({
          issuer: principal,
          subject: { kind: "ORGANISATION", organisation: user.organisation, admin: user.duties.includes("admin"), userId: user.id },
          label: body.label,
        });
        return { id: issued.id, apiKey: issued.token, label: body.label, userId: user.id };
      },
    }),
  ];
}
