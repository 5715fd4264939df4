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

export const CreditLineBody = z.object({ limit: Uint256 }).meta({ id: "SetCreditLine" });

export const CreditLineOut = z
  .object({
    coreEnterprise: AddressOut,
    grantor: AddressOut.nullable(),
    limit: Uint256Out,
    used: Uint256Out,
    available: Uint256Out,
    upcomingMaturities: z.array(z.object({ maturity: z.number().int(), currency: AddressOut, outstanding: Uint256Out })),
  })
  .meta({ id: "CreditLine" });
