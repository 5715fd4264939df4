/**
 * The HTTP contract of an organisation's users (issue 12 item 2): ids, duties and how a user is shown.
 * Shared by the user routes, `GET /v1/me` and the prepared actions (who prepared, who approved).
 */
import { z } from "zod";
import { AddressOut, IsoDate } from "../api/schemas";
import { DUTIES } from "./principal";
import type { UserRecord } from "./store";

export const UserId = z
  .string()
  .regex(/^usr_[0-9a-z_]{1,64}$/, "a user id (usr_...)")
  .meta({ description: "an organisation user's id", example: "usr_0123456789abcdef" });

export const Duties = z
  .array(z.enum(DUTIES))
  .min(1)
  .max(DUTIES.length)
  .refine((d) => new Set(d).size === d.length, "each duty once")
  .meta({ description: "admin: users, keys, thresholds; maker: prepares and sends writes; checker: approves what another user prepared; viewer: reads" });

/** A user as other records name it (who prepared, who approved). */
export const UserRef = z.object({ id: z.string(), name: z.string() });

export const UserOut = z
  .object({
    id: z.string(),
    organisation: AddressOut,
    name: z.string(),
    duties: z.array(z.enum(DUTIES)),
    createdAt: IsoDate,
    disabledAt: IsoDate.nullable(),
  })
  .meta({ id: "OrganisationUser" });

export function userOut(u: UserRecord): z.input<typeof UserOut> {
  return {
    id: u.id,
    organisation: u.organisation,
    name: u.name,
    duties: [...u.duties],
    createdAt: u.createdAt.toISOString(),
    disabledAt: u.disabledAt === null ? null : u.disabledAt.toISOString(),
  };
}
