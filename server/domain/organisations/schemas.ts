import { z } from "zod";
import { Address, AddressOut, Bytes32, Uint256, Uint256Out } from "../../api/schemas";
import { ORGANISATION_ROLES } from "../../auth/principal";
import { creditCodeProblem } from "./creditCode";

export const OrganisationRoleSchema = z.enum(ORGANISATION_ROLES);

export const OrganisationOut = z
  .object({
    address: AddressOut,
    name: z.string().nullable().meta({ description: "legal name in Chinese from the organisation's profile (null: no profile yet)" }),
    nameEn: z.string().nullable(),
    creditCode: z.string().nullable().meta({ description: "unified social credit code from the profile" }),
    role: OrganisationRoleSchema,
    status: z.enum(["ACTIVE", "SUSPENDED"]),
    active: z.boolean(),
    kycHash: z.string().nullable().meta({ description: "shown to the operator and auditors only" }),
  })
  .meta({ id: "Organisation" });

export const RegisterOrganisationBody = z
  .object({ address: Address, role: OrganisationRoleSchema, kycHash: Bytes32 })
  .meta({ id: "RegisterOrganisation" });

export const OrganisationParams = z.object({ address: Address });

export const ListOrganisationsQuery = z.object({
  role: OrganisationRoleSchema.optional(),
  q: z.string().trim().min(1).max(100).optional().meta({ description: "search: part of the Chinese or English name (any case), or the start of the credit code" }),
});

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

// ---- Profiles, onboarding and the directory (issue 12 item 1) ----

/** A unified social credit code (GB 32100-2015): 18 upper-case characters whose last is the check character. */
export const CreditCode = z
  .string()
  .superRefine((code, ctx) => {
    const problem = creditCodeProblem(code);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem.message, params: { reason: problem.reason } });
  })
  .meta({ description: "unified social credit code (统一社会信用代码, GB 32100-2015), check character verified", example: "91330100716105852F" });

const text = (max: number) => z.string().trim().min(1).max(max);

export const ContactSchema = z
  .object({
    name: text(100),
    phone: z.string().trim().regex(/^\+?[0-9][0-9 ()-]{4,29}$/, "a telephone number: digits, spaces, ( ) - and an optional leading +"),
    email: z.email().max(200),
  })
  .meta({ id: "OrganisationContact" });

export const BankAccountSchema = z
  .object({
    name: text(200).meta({ description: "the account holder's name (户名)" }),
    bank: text(200).meta({ description: "the bank and branch (开户行)" }),
    number: z
      .string()
      .transform((s) => s.replace(/[\s-]/g, ""))
      .pipe(z.string().regex(/^[0-9]{8,32}$/, "8–32 digits (spaces and hyphens are ignored)"))
      .meta({ description: "the account number (账号); stored encrypted, shown masked to everyone but the organisation itself" }),
  })
  .meta({ id: "BankAccount" });

export const ProfileBody = z
  .object({
    legalName: z.object({ zh: text(200).meta({ description: "legal name in Chinese (as on the business licence)" }), en: text(200).optional() }),
    creditCode: CreditCode,
    registeredAddress: text(500),
    contact: ContactSchema,
    bankAccount: BankAccountSchema,
  })
  .meta({ id: "OrganisationProfileInput" });

export const KycDocumentDeclaration = z
  .object({
    hash: Bytes32.meta({ description: "keccak256 of the document's bytes: upload exactly those bytes afterwards" }),
    name: text(200),
    contentType: z.string().trim().min(1).max(100).default("application/octet-stream"),
  })
  .meta({ id: "KycDocumentDeclaration" });

export const ApplicationBody = z
  .object({
    address: Address.meta({ description: "the address the organisation will act from on chain (its own wallet, or a custodial key)" }),
    role: OrganisationRoleSchema,
    profile: ProfileBody,
    kycDocuments: z
      .array(KycDocumentDeclaration)
      .min(1)
      .max(20)
      .refine((docs) => new Set(docs.map((d) => d.hash)).size === docs.length, "each document once"),
  })
  .meta({ id: "OnboardingApplication" });

export const SelfApplicationMessageBody = z.object({ application: ApplicationBody }).meta({ id: "SelfApplicationMessageRequest" });

export const SelfApplicationMessageOut = z
  .object({
    message: z.string().meta({ description: "the EIP-4361 message to sign with the applicant's wallet (personal_sign)" }),
    digest: z.string().meta({ description: "keccak256 of the application's canonical JSON, named in the message's resources" }),
    nonce: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "SelfApplicationMessage" });

export const SelfApplicationBody = z
  .object({
    application: ApplicationBody,
    message: z.string().min(1).max(4000),
    signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  })
  .meta({ id: "SelfApplication" });

export const RejectApplicationBody = z.object({ reason: text(1000) }).meta({ id: "RejectApplication" });

export const ApplicationStatusSchema = z.enum(["PENDING", "APPROVING", "APPROVED", "REJECTED"]);

export const ListApplicationsQuery = z.object({ status: ApplicationStatusSchema.optional() });

export const KycDocumentParams = z.object({ address: Address, hash: Bytes32 });

export const ProfileOut = z
  .object({
    address: AddressOut,
    role: OrganisationRoleSchema,
    legalName: z.object({ zh: z.string(), en: z.string().nullable() }),
    creditCode: z.string(),
    registeredAddress: z.string(),
    contact: z.object({ name: z.string(), phone: z.string(), email: z.string() }),
    bankAccount: z.object({
      name: z.string(),
      bank: z.string(),
      number: z.string().meta({ description: "in full for the organisation itself; `****` and the last 4 digits for everyone else" }),
      masked: z.boolean(),
    }),
    kycHash: z.string().meta({ description: "keccak256 of the one KYC document, or of the documents' hashes in ascending order: what approval anchors on chain" }),
    kycDocuments: z.array(z.object({ hash: z.string(), name: z.string(), contentType: z.string(), sizeBytes: z.number().int().nullable(), uploaded: z.boolean() })),
    onboarding: z.object({
      status: ApplicationStatusSchema,
      channel: z.enum(["SELF", "OPERATOR", "REGISTERED"]),
      appliedBy: z.string(),
      appliedAt: z.iso.datetime(),
      decidedBy: z.string().nullable(),
      decidedAt: z.iso.datetime().nullable(),
      rejectionReason: z.string().nullable(),
      registrationTxHash: z.string().nullable(),
    }),
  })
  .meta({ id: "OrganisationProfile" });

export const ApplicationDecisionOut = z
  .object({ address: AddressOut, status: ApplicationStatusSchema })
  .meta({ id: "ApplicationDecision" });
