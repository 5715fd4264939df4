/**
 * Organisation profiles: legal names, unified social credit code, registered address, contact, the
 * settlement bank account and the KYC documents. The bank account is sealed with AES-256-GCM before it
 * reaches the database (associated data: the organisation's address) and opened only to be shown — in
 * full to the organisation itself, `****` + the last 4 digits to the operator and auditors. Nobody else
 * reads a profile: the directory (`GET /v1/organisations`) shows others only name, role, code and status.
 *
 * Must never: store an account number in the clear, return one unmasked to anyone but its organisation,
 * or show a profile that is not APPROVED in the directory.
 */
import type { z } from "zod";
import { keccak256, concat } from "ethers";
import type { Principal } from "../../auth/principal";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "../../lib/appErrors";
import { SealedBoxError, type SealedBox } from "../../lib/sealedBox";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { audit } from "../tx";
import type { ProfileBody, ProfileOut } from "./schemas";

export type ProfileInput = z.output<typeof ProfileBody>;
type ProfileRow = NonNullable<Awaited<ReturnType<DomainContext["db"]["organisationProfile"]["findUnique"]>>>;
type KycDocumentRow = NonNullable<Awaited<ReturnType<DomainContext["db"]["kycDocument"]["findUnique"]>>>;

/** keccak256 of the one document, or of the documents' hashes (bytes32 each) in ascending order. */
export function kycHashOf(documentHashes: readonly string[]): string {
  const sorted = [...documentHashes].map((h) => h.toLowerCase()).sort();
  if (sorted.length === 0) throw new RangeError("a KYC record has at least one document");
  return sorted.length === 1 ? (sorted[0] as string) : keccak256(concat(sorted));
}

/** `****` and the last 4 digits. */
export function maskAccountNumber(number: string): string {
  return `****${number.slice(-4)}`;
}

/** What the directory and search match: the names in lower case and the code. */
export function searchTextOf(profile: Pick<ProfileInput, "legalName" | "creditCode">): string {
  return [profile.legalName.zh, profile.legalName.en ?? "", profile.creditCode].join("\n").toLowerCase();
}

const sealedAad = (address: string) => `organisation-profile:bank-account:${address}`;

/** The directory entry's names of registered organisations with an APPROVED profile, by address. */
export interface DirectoryNames {
  name: string;
  nameEn: string | null;
  creditCode: string;
}

export function createProfileService(ctx: DomainContext, deps: { sealedBox: SealedBox | undefined }) {
  function box(): SealedBox {
    if (deps.sealedBox === undefined) {
      throw new AppError({ code: "ProfileEncryptionNotConfigured", status: 503, message: "bank accounts cannot be stored or shown: API_PROFILE_ENCRYPTION_KEY is not set" });
    }
    return deps.sealedBox;
  }

  function openAccount(row: ProfileRow): { name: string; bank: string; number: string } {
    try {
      return JSON.parse(box().open(row.bankAccountSealed, sealedAad(row.address))) as { name: string; bank: string; number: string };
    } catch (err) {
      if (err instanceof SealedBoxError) {
        throw new AppError({ code: "ProfileDecryptionFailed", status: 500, message: `the bank account of ${row.address} does not open with the configured key`, cause: err, expose: false });
      }
      throw err;
    }
  }

  /** The columns a profile input writes (the bank account sealed). */
  function profileColumns(address: string, profile: ProfileInput) {
    return {
      legalNameZh: profile.legalName.zh,
      legalNameEn: profile.legalName.en ?? null,
      creditCode: profile.creditCode,
      registeredAddress: profile.registeredAddress,
      contact: JSON.stringify(profile.contact),
      bankAccountSealed: box().seal(JSON.stringify(profile.bankAccount), sealedAad(address)),
      searchText: searchTextOf(profile),
    };
  }

  /** A code is one organisation's: another profile that is not REJECTED holding it is a conflict. */
  async function assertCreditCodeFree(creditCode: string, address: string): Promise<void> {
    const holder = await ctx.db.organisationProfile.findFirst({ where: { creditCode, address: { not: address }, status: { not: "REJECTED" } }, select: { address: true } });
    if (holder !== null) throw new ConflictError("CreditCodeTaken", "another organisation already has (or has applied with) this unified social credit code");
  }

  function view(row: ProfileRow, documents: KycDocumentRow[], principal: Principal | "self"): z.input<typeof ProfileOut> {
    const account = openAccount(row);
    const own = principal === "self" || organisationOf(principal) === row.address;
    const contact = JSON.parse(row.contact) as { name: string; phone: string; email: string };
    const iso = (ms: bigint | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return {
      address: row.address,
      role: row.role as "CORE_ENTERPRISE",
      legalName: { zh: row.legalNameZh, en: row.legalNameEn },
      creditCode: row.creditCode,
      registeredAddress: row.registeredAddress,
      contact,
      bankAccount: { name: account.name, bank: account.bank, number: own ? account.number : maskAccountNumber(account.number), masked: !own },
      kycHash: row.kycHash,
      kycDocuments: documents
        .sort((a, b) => (a.hash < b.hash ? -1 : 1))
        .map((d) => ({ hash: d.hash, name: d.name, contentType: d.contentType, sizeBytes: d.sizeBytes, uploaded: d.storedPath !== null })),
      onboarding: {
        status: row.status as "PENDING",
        channel: row.channel as "SELF",
        appliedBy: row.appliedBy,
        appliedAt: new Date(Number(row.appliedAtMs)).toISOString(),
        decidedBy: row.decidedBy,
        decidedAt: iso(row.decidedAtMs),
        rejectionReason: row.rejectionReason,
        registrationTxHash: row.registrationTxHash,
      },
    };
  }

  return {
    box,
    profileColumns,
    assertCreditCodeFree,
    view,

    /** A profile as `principal` may see it: its own organisation in full, operator and auditors masked; anyone else 404. */
    async get(principal: Principal, address: string) {
      if (!isPrivileged(principal) && organisationOf(principal) !== address) throw new NotFoundError("organisation profile", address);
      const row = await ctx.db.organisationProfile.findUnique({ where: { address } });
      if (row === null) throw new NotFoundError("organisation profile", address);
      const documents = await ctx.db.kycDocument.findMany({ where: { address } });
      return view(row, documents, principal);
    },

    /**
     * The profile of a registered organisation, written by its admin or the operator. An organisation
     * registered before profiles existed gets its first profile APPROVED (its registration was the
     * approval), with the KYC hash the chain holds. KYC documents are not changed here.
     */
    async put(principal: Principal, address: string, profile: ProfileInput) {
      const own = principal.kind === "ORGANISATION" && principal.organisation === address;
      if (own && !principal.admin) throw new ForbiddenError("NotOrganisationAdmin", "only an admin of the organisation may change its profile");
      if (!own && principal.kind !== "OPERATOR") throw new NotFoundError("organisation", address);
      const organisation = await ctx.db.organisation.findUnique({ where: { address } });
      if (organisation === null) throw new NotFoundError("organisation", address);
      await assertCreditCodeFree(profile.creditCode, address);
      const existing = await ctx.db.organisationProfile.findUnique({ where: { address } });
      if (existing !== null && existing.status !== "APPROVED") {
        throw new ConflictError("ApplicationUndecided", `the organisation's application is ${existing.status}: decide it first`, { status: existing.status });
      }
      const nowMs = BigInt(ctx.now().getTime());
      const columns = profileColumns(address, profile);
      await ctx.db.organisationProfile.upsert({
        where: { address },
        update: { ...columns, updatedAtMs: nowMs },
        create: {
          address,
          role: organisation.role,
          ...columns,
          kycHash: organisation.kycHash,
          status: "APPROVED",
          channel: "REGISTERED",
          appliedBy: principal.credentialId,
          appliedAtMs: nowMs,
          decidedBy: null,
          decidedAtMs: null,
          rejectionReason: null,
          registrationTxHash: null,
          updatedAtMs: nowMs,
        },
      });
      // The audit line names what changed, never the account itself.
      await audit(ctx, { actor: principal.credentialId, action: "organisation.profile.update", target: address, detail: { creditCode: profile.creditCode, created: existing === null } });
      const row = await ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } });
      return view(row, await ctx.db.kycDocument.findMany({ where: { address } }), principal);
    },

    /** Names of the given organisations (APPROVED profiles only), for the directory and organisation answers. */
    async names(addresses: readonly string[]): Promise<Map<string, DirectoryNames>> {
      if (addresses.length === 0) return new Map();
      const rows = await ctx.db.organisationProfile.findMany({
        where: { address: { in: [...addresses] }, status: "APPROVED" },
        select: { address: true, legalNameZh: true, legalNameEn: true, creditCode: true },
      });
      return new Map(rows.map((r) => [r.address, { name: r.legalNameZh, nameEn: r.legalNameEn, creditCode: r.creditCode }]));
    },

    /** Addresses of APPROVED profiles whose names contain `q` (any case) or whose code starts with it. */
    async search(q: string): Promise<string[]> {
      const rows = await ctx.db.organisationProfile.findMany({
        where: { status: "APPROVED", OR: [{ searchText: { contains: q.toLowerCase() } }, { creditCode: { startsWith: q.toUpperCase() } }] },
        select: { address: true },
      });
      return rows.map((r) => r.address);
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
