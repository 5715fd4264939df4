import { z } from "zod";
import { Address, AddressOut, Bytes32, Uint256, Uint256Out } from "../../api/schemas";
import { ORGANISATION_ROLES } from "../../auth/principal";

export const OrganisationRoleSchema = z.enum(ORGANISATION_ROLES);

export const OrganisationOut = z
  .object({
    address: AddressOut,
    role: OrganisationRoleSchema,
    active: z.boolean(),
    kycHash: z.string().nullable().meta({ description: "shown to the operator and auditors only" }),
  })
  .meta({ id: "Organisation" });

export const RegisterOrganisationBody = z
  .object({ address: Address, role: OrganisationRoleSchema, kycHash: Bytes32 })
  .meta({ id: "RegisterOrganisation" });

export const OrganisationParams = z.object({ address: Address });

export const ListOrganisationsQuery = z.object({ role: OrganisationRoleSchema.optional() });

export const IssuanceLimitBody = z.object({ limit: Uint256 }).meta({ id: "SetIssuanceLimit" });

export const IssuanceLimitOut = z
  .object({
    coreEnterprise: AddressOut,
    limit: Uint256Out.meta({ description: "set by the operator: how much face the core enterprise may have confirmed and unpaid" }),
    issued: Uint256Out.meta({ description: "confirmed and not yet repaid" }),
    available: Uint256Out,
    upcomingMaturities: z.array(z.object({ maturity: z.number().int(), currency: AddressOut, outstanding: Uint256Out })),
  })
  .meta({ id: "IssuanceLimit" });
