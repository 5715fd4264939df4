/**
 * Onboarding as a flow (issue 12 item 1). An organisation applies — by itself, proving its address with
 * a wallet signature over an EIP-4361 message that names the application's digest and a one-time nonce,
 * or by the operator on its behalf — with its profile and its KYC documents declared by hash; the
 * documents' bytes are uploaded afterwards and kept only if they hash to what was declared. The operator
 * approves (which registers the organisation on chain through the register-organisation path, anchoring
 * the KYC hash) or rejects with a reason.
 *
 * States: PENDING → APPROVING → APPROVED, PENDING → REJECTED, REJECTED → PENDING (a new application).
 * Every transition is one conditional update, so two deciders never both win: approving twice, approving
 * a rejected application or rejecting an approved one is 409 `ApplicationNotPending`. Every step is in
 * the audit log. Must never: register an organisation whose documents are not all uploaded, or accept a
 * self-application whose signature was made for another application, address or nonce.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { SiweMessage } from "siwe";
import type { z } from "zod";
import type { Principal } from "../../auth/principal";
import { verifySiweMessage } from "../../auth/siwe";
import { isUniqueViolation } from "../../db/client";
import { canonicalJson } from "../../lib/canonicalJson";
import { ConflictError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { audit } from "../tx";
import type { OrganisationService } from "./service";
import { kycHashOf, type ProfileService } from "./profiles";
import type { ApplicationBody } from "./schemas";

export type Application = z.output<typeof ApplicationBody>;

/** A claim on an approval older than this belongs to a process that died while registering. */
const STALE_APPROVAL_MS = 120_000;

export interface OnboardingOptions {
  /** Where KYC documents are kept (under `kyc/`, by hash). */
  documentDir: string;
  /** The domain self-application messages must name (SIWE_DOMAIN) and how long their nonce lives. */
  siwe: { domain: string; nonceTtlSeconds: number };
}

/** keccak256 of the application's canonical JSON: what a self-application's signature commits to. */
export function applicationDigest(application: Application): string {
  return keccak256(toUtf8Bytes(canonicalJson(application)));
}

/** The resource a self-application message names: binds the signature to exactly this application. */
export const applicationResource = (digest: string) => `urn:ledgerline:onboarding-application:${digest}`;

export function createOnboardingService(
  ctx: DomainContext,
  deps: { profiles: ProfileService; organisations: OrganisationService },
  options: OnboardingOptions,
) {
  const { profiles } = deps;
  const kycDir = path.join(options.documentDir, "kyc");

  async function consumeNonce(nonce: string, now: Date): Promise<boolean> {
    const nowMs = BigInt(now.getTime());
    const { count } = await ctx.db.siweNonce.updateMany({ where: { nonce, usedAtMs: null, expiresAtMs: { gt: nowMs } }, data: { usedAtMs: nowMs } });
    return count === 1;
  }

  /** Records an application (new, or again after a rejection). */
  async function apply(application: Application, by: { actor: string; channel: "SELF" | "OPERATOR" }) {
    const { address } = application;
    if ((await ctx.db.organisation.findUnique({ where: { address }, select: { address: true } })) !== null) {
      throw new ConflictError("OrganisationAlreadyRegistered", "this address is already a registered organisation");
    }
    await profiles.assertCreditCodeFree(application.profile.creditCode, address);
    const nowMs = BigInt(ctx.now().getTime());
    const row = {
      role: application.role,
      ...profiles.profileColumns(address, application.profile),
      kycHash: kycHashOf(application.kycDocuments.map((d) => d.hash)),
      status: "PENDING",
      channel: by.channel,
      appliedBy: by.actor,
      appliedAtMs: nowMs,
      decidedBy: null,
      decidedAtMs: null,
      rejectionReason: null,
      registrationTxHash: null,
      updatedAtMs: nowMs,
    };
    try {
      await ctx.db.$transaction(async (tx) => {
        const existing = await tx.organisationProfile.findUnique({ where: { address }, select: { status: true } });
        if (existing === null) {
          await tx.organisationProfile.create({ data: { address, ...row } });
        } else {
          // Only a rejected application may be replaced; the conditional update loses to a concurrent decision.
          const { count } = await tx.organisationProfile.updateMany({ where: { address, status: "REJECTED" }, data: row });
          if (count !== 1) throw new ConflictError("ApplicationExists", `an application for this address is already ${existing.status}`, { status: existing.status });
          await tx.kycDocument.deleteMany({ where: { address } });
        }
        await tx.kycDocument.createMany({
          data: application.kycDocuments.map((d) => ({ address, hash: d.hash, name: d.name, contentType: d.contentType, sizeBytes: null, storedPath: null, uploadedAtMs: null })),
        });
      });
    } catch (err) {
      // Two first applications for one address at once: the second finds the first's row.
      if (isUniqueViolation(err)) throw new ConflictError("ApplicationExists", "an application for this address is already PENDING", { status: "PENDING" });
      throw err;
    }
    await audit(ctx, {
      actor: by.actor,
      action: "onboarding.apply",
      target: address,
      detail: { channel: by.channel, role: application.role, creditCode: application.profile.creditCode, documents: application.kycDocuments.map((d) => d.hash) },
    });
    return profiles.view(await ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } }), await ctx.db.kycDocument.findMany({ where: { address } }), "self");
  }

  async function loadApplication(address: string) {
    const row = await ctx.db.organisationProfile.findUnique({ where: { address } });
    if (row === null) throw new NotFoundError("application", address);
    return row;
  }

  return {
    /** The operator applies on an organisation's behalf. */
    async applyByOperator(principal: Principal, application: Application) {
      return apply(application, { actor: principal.credentialId, channel: "OPERATOR" });
    },

    /** The EIP-4361 message an applicant signs with its wallet: a fresh one-time nonce and the application's digest. */
    async selfApplicationMessage(application: Application) {
      const digest = applicationDigest(application);
      const nonce = randomBytes(16).toString("hex");
      const issuedAt = ctx.now();
      const expiresAt = new Date(issuedAt.getTime() + options.siwe.nonceTtlSeconds * 1000);
      await ctx.db.siweNonce.create({ data: { nonce, expiresAtMs: BigInt(expiresAt.getTime()), usedAtMs: null } });
      const message = new SiweMessage({
        domain: options.siwe.domain,
        address: getAddress(application.address),
        statement: `Apply to Ledgerline as ${application.role} with unified social credit code ${application.profile.creditCode}.`,
        uri: `https://${options.siwe.domain}/v1/onboarding/self-applications`,
        version: "1",
        chainId: Number(ctx.chain.chainId),
        nonce,
        issuedAt: issuedAt.toISOString(),
        expirationTime: expiresAt.toISOString(),
        resources: [applicationResource(digest)],
      }).prepareMessage();
      return { message, digest, nonce, expiresAt: expiresAt.toISOString() };
    },

    /**
     * A self-application: the message must be signed by the application's address, name this very
     * application's digest and carry an unused nonce (consumed whatever the outcome, so a captured
     * message is good for nothing).
     */
    async applyBySignature(input: { application: Application; message: string; signature: string }) {
      const { address, message } = await verifySiweMessage({
        message: input.message,
        signature: input.signature,
        domain: options.siwe.domain,
        chainId: Number(ctx.chain.chainId),
        now: ctx.now(),
        consumeNonce,
      });
      if (address !== input.application.address) {
        throw new ValidationError("the message is signed by another address", [
          { field: "body.application.address", message: `the message's signer is ${address}`, code: "ApplicationSignerMismatch" },
        ]);
      }
      const resource = applicationResource(applicationDigest(input.application));
      if (!(message.resources ?? []).includes(resource)) {
        throw new ValidationError("the message was signed for another application", [
          { field: "body.message", message: `the message must name ${resource}`, code: "ApplicationDigestMismatch" },
        ]);
      }
      return apply(input.application, { actor: `siwe:${address}`, channel: "SELF" });
    },

    /** Stores a declared KYC document of a PENDING application if its bytes hash to the declared hash. */
    async uploadDocument(address: string, hash: string, bytes: Buffer) {
      const row = await loadApplication(address);
      const doc = await ctx.db.kycDocument.findUnique({ where: { address_hash: { address, hash } } });
      if (row.status !== "PENDING" || doc === null) throw new NotFoundError("declared KYC document of a pending application", hash);
      const actual = keccak256(bytes);
      if (actual !== hash) {
        throw new ValidationError("the document's keccak256 is not the declared hash", [{ field: "body", message: `keccak256 of the upload is ${actual}`, code: "KycDocumentHashMismatch" }]);
      }
      fs.mkdirSync(kycDir, { recursive: true });
      const file = `${hash.slice(2)}.bin`;
      fs.writeFileSync(path.join(kycDir, file), bytes);
      await ctx.db.kycDocument.update({
        where: { address_hash: { address, hash } },
        data: { storedPath: file, sizeBytes: bytes.length, uploadedAtMs: BigInt(ctx.now().getTime()) },
      });
      await audit(ctx, { actor: "applicant", action: "onboarding.document", target: address, detail: { hash, sizeBytes: bytes.length } });
      return { address, hash, sizeBytes: bytes.length };
    },

    /** A KYC document's bytes, for the operator, auditors and the organisation itself; re-checked against its hash. */
    async downloadDocument(principal: Principal, address: string, hash: string): Promise<Buffer> {
      if (!isPrivileged(principal) && organisationOf(principal) !== address) throw new NotFoundError("KYC document", hash);
      const doc = await ctx.db.kycDocument.findUnique({ where: { address_hash: { address, hash } } });
      if (doc?.storedPath == null) throw new NotFoundError("KYC document", hash);
      const bytes = fs.readFileSync(path.join(kycDir, path.basename(doc.storedPath)));
      if (keccak256(bytes) !== hash) throw new ConflictError("DocumentTampered", "the stored document no longer matches its hash");
      return bytes;
    },

    /** Applications for the operator and auditors (bank accounts masked), newest first. */
    async list(principal: Principal, filter: { status?: string | undefined }) {
      const rows = await ctx.db.organisationProfile.findMany({
        where: { channel: { not: "REGISTERED" }, ...(filter.status === undefined ? {} : { status: filter.status }) },
        orderBy: [{ appliedAtMs: "desc" }, { address: "asc" }],
      });
      const docs = await ctx.db.kycDocument.findMany({ where: { address: { in: rows.map((r) => r.address) } } });
      return { items: rows.map((r) => profiles.view(r, docs.filter((d) => d.address === r.address), principal)) };
    },

    /**
     * The operator approves: the application is claimed (PENDING → APPROVING, or a claim left by a dead
     * process), the organisation is registered on chain with the KYC hash, then it is APPROVED. A failed
     * registration gives the claim back (PENDING) and answers the failure; a retry with the same
     * Idempotency-Key finds the registration it already sent instead of sending another.
     */
    async approve(principal: Principal, address: string) {
      const now = ctx.now().getTime();
      const claimed = await ctx.db.organisationProfile.updateMany({
        where: { address, OR: [{ status: "PENDING" }, { status: "APPROVING", decidedAtMs: { lt: BigInt(now - STALE_APPROVAL_MS) } }] },
        data: { status: "APPROVING", decidedBy: principal.credentialId, decidedAtMs: BigInt(now) },
      });
      if (claimed.count !== 1) {
        const row = await loadApplication(address);
        throw new ConflictError("ApplicationNotPending", `the application is ${row.status}`, { status: row.status });
      }
      const release = () => ctx.db.organisationProfile.updateMany({ where: { address, status: "APPROVING" }, data: { status: "PENDING", decidedBy: null, decidedAtMs: null } });
      let result: Awaited<ReturnType<OrganisationService["register"]>>;
      try {
        const row = await ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } });
        const missing = (await ctx.db.kycDocument.findMany({ where: { address, storedPath: null }, select: { hash: true } })).map((d) => d.hash);
        if (missing.length > 0) throw new ConflictError("KycDocumentsMissing", "every declared KYC document must be uploaded before approval", { missing });
        await profiles.assertCreditCodeFree(row.creditCode, address);
        result = await deps.organisations.register(principal, { address, role: row.role as "SUPPLIER", kycHash: row.kycHash });
      } catch (err) {
        await release();
        throw err;
      }
      await ctx.db.organisationProfile.update({
        where: { address },
        data: { status: "APPROVED", registrationTxHash: result.txHash, updatedAtMs: BigInt(ctx.now().getTime()) },
      });
      await audit(ctx, { actor: principal.credentialId, action: "onboarding.approve", target: address, txHash: result.txHash });
      return { ...result, address, status: "APPROVED" as const };
    },

    /** The operator rejects a PENDING application with a reason; the applicant may apply again. */
    async reject(principal: Principal, address: string, reason: string) {
      const nowMs = BigInt(ctx.now().getTime());
      const { count } = await ctx.db.organisationProfile.updateMany({
        where: { address, status: "PENDING" },
        data: { status: "REJECTED", decidedBy: principal.credentialId, decidedAtMs: nowMs, rejectionReason: reason, updatedAtMs: nowMs },
      });
      if (count !== 1) {
        const row = await loadApplication(address);
        throw new ConflictError("ApplicationNotPending", `the application is ${row.status}`, { status: row.status });
      }
      await audit(ctx, { actor: principal.credentialId, action: "onboarding.reject", target: address, detail: { reason } });
      return { address, status: "REJECTED" as const };
    },
  };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
