/**
 * The API over a real system: the in-process Hardhat chain with the contracts deployed and the demo
 * world seeded by the same scripts `npm start` runs, the real indexer writing a real database, and the
 * real app with custodial signers for each organisation. One world per test file (the chain and the
 * database must stay consistent, so no snapshot reverts under a live database).
 */
import { ethers, network } from "hardhat";
import { Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import request from "supertest";
import { deployLedger } from "../../../scripts/deploy";
import { deploySettlement } from "../../../scripts/deploySettlement";
import { deployTimelock, executeThroughTimelock, handOverAdmin } from "../../../scripts/governance";
import { seedDemoWorld } from "../../../scripts/seed";
import { createChainContext, projectInterfaces, type DomainContext } from "../../../server/domain/context";
import { createDomain, type Domain } from "../../../server/domain";
import { openDatabase, type Db } from "../../../server/db/client";
import { openSql } from "../../../server/db/sql";
import type { Dialect } from "../../../server/db/schema-model";
import { createIndexer, type Indexer } from "../../../server/indexer/indexer";
import { silentLogger } from "../../../server/lib/logger";
import { createSignerRegistry, type SignerRegistryOptions } from "../../../server/signing/signers";
import { hardhatDevKeyOf } from "../../../server/signing/devKeys";
import { chainIdentity, idempotencyChainOf } from "../../../server/lib/chainIdentity";
import type { IERC20, RiskProgramme, SettlementToken } from "../../../typechain-types";
import { freshDatabase } from "../db/fresh";
import { isLocalDevelopmentChain } from "../../../server/lib/deployment";
import { TEST_INDEXER_CONFIG } from "../indexer/helpers";
import type { ApiDeps } from "../../../server/api/app";
import { profileSealedBoxOption } from "../../../server/api/server";
import { loadApiConfig } from "../../../server/config/api";
import { createHarness, type Harness } from "./harness";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const DAY = 24 * 60 * 60;
/** The settlement token has 2 decimals: 1,000,000.00 is 100_000_000 base units. */
export const UNIT = 100n;

export interface Actor {
  name: string;
  address: string;
  signer: HardhatEthersSigner;
  /** Bearer credential (an API key) for `request(...).set("Authorization", ...)`. */
  auth: string;
}

export interface World {
  h: Harness;
  db: Db;
  indexer: Indexer;
  domain: Domain;
  ctx: DomainContext;
  cash: SettlementToken;
  currency: string;
  addresses: { ledger: string; financing: string; vault: string };
  /** Risk-sharing programmes (issue 13); the operator's signer holds PROGRAMME_ADMIN_ROLE. Indexed. */
  programmes: RiskProgramme;
  operator: Actor;
  auditor: Actor;
  core: Actor;
  tier1: Actor;
  tier2: Actor;
  tier3: Actor;
  bankA: Actor;
  bankB: Actor;
  /** A registered core enterprise that keeps its own key (the server holds no signer for it). */
  selfCore: Actor;
  outsider: HardhatEthersSigner;
  documentDir: string;
  /** A second API process over the same database and chain, holding the same custodial keys. */
  anotherApiProcess(): Promise<ApiProcess>;
  /** Moves the chain's clock (and the API's clock with it) forward. */
  advanceTime(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface ApiProcess {
  h: Harness;
  domain: Domain;
  ctx: DomainContext;
  close(): Promise<void>;
}

export function bearer(actor: { auth: string }): [string, string] {
  return ["Authorization", `Bearer ${actor.auth}`];
}

export async function chainNow(): Promise<number> {
  return Number((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
}

export async function createWorld(
  options: {
    dialect?: Dialect;
    env?: Record<string, string>;
    /** The deployment record's `local` flag (default true, as `npm start` writes it). */
    local?: boolean;
    signerOptions?: Partial<SignerRegistryOptions>;
    /** The web app's build and demo logins (the browser tests). */
    app?: Pick<ApiDeps, "webDir" | "demo">;
    /**
     * The indexer's CONFIRMATIONS (default 0). Above 0, a write's wait for the indexer indexes only what
     * the indexer would (head − confirmations), as in production, instead of driving it to the write's block.
     */
    confirmations?: number;
    /**
     * Hands the ledger's DEFAULT_ADMIN_ROLE to a LedgerTimelock with this delay (seconds) whose proposer and
     * executor is the operator's key, as `deploySystem` does; without it the operator's key is the admin.
     */
    timelockDelay?: bigint;
  } = {},
): Promise<World> {
  const [admin, core, tier1, tier2, tier3, bankA, bankB, selfCore, outsider, relayer] = (await ethers.getSigners());
  if (relayer === undefined || admin === undefined || core === undefined || tier1 === undefined || tier2 === undefined || tier3 === undefined) {
    throw new Error("createWorld needs 10 accounts");
  }
  const ledgerDeployment = await deployLedger({ admin, parameters: { minPartAmount: 100n, maxDepth: 10, defaultOfferWindow: 7 * DAY } });
  const settlement = await deploySettlement({ admin, ledger: ledgerDeployment.ledger, currencyDecimals: 2 });
  const cash = settlement.settlementToken as SettlementToken;
  const currency = settlement.currency;
  await seedDemoWorld({
    ledger: ledgerDeployment.ledger,
    operator: admin,
    accounts: { coreEnterprise: core, suppliers: [tier1, tier2, tier3], banks: [bankA!, bankB!] },
    currency,
    issuanceLimit: 100_000_000n * UNIT,
    financing: settlement.financing,
  });
  const ledger = ledgerDeployment.ledger.connect(admin);
  await (await ledger.registerOrganisation(selfCore!.address, 1, ethers.id("kyc:self-core"))).wait();
  await (await ledger.setIssuanceLimit(selfCore!.address, 10_000_000n * UNIT)).wait();
  for (const bank of [bankA!, bankB!]) await (await settlement.financing.connect(bank).setExposureLimit(selfCore!.address, 10_000_000n * UNIT)).wait();
  // Cash for the banks to advance and for the core enterprise to repay; allowances to the settlement contracts.
  const financingAddress = await settlement.financing.getAddress();
  const vaultAddress = await settlement.vault.getAddress();
  for (const s of [bankA!, bankB!, core, tier1, tier2, tier3]) {
    await (await cash.connect(admin).mint(s.address, 50_000_000n * UNIT)).wait();
    await (await cash.connect(s).approve(financingAddress, ethers.MaxUint256)).wait();
    await (await cash.connect(s).approve(vaultAddress, ethers.MaxUint256)).wait();
  }

  if (options.timelockDelay !== undefined) {
    // Handed over with no delay (the acceptance goes through the timelock's own schedule), then the
    // timelock sets its delay through itself, as a network that starts without one would.
    const timelock = await deployTimelock({ proposer: admin, minDelay: 0n });
    if (!(await handOverAdmin(ledgerDeployment.ledger, admin, timelock))) throw new Error("createWorld: the admin handover did not complete");
    const updateDelay = timelock.interface.encodeFunctionData("updateDelay", [options.timelockDelay]);
    await executeThroughTimelock(timelock, admin, await timelock.getAddress(), updateDelay);
  }

  const fresh = await freshDatabase(options.dialect ?? "sqlite", "apiworld");
  const db = await openDatabase({ url: fresh.url });
  const addresses = { ledger: ledgerDeployment.ledgerAddress.toLowerCase(), financing: financingAddress.toLowerCase(), vault: vaultAddress.toLowerCase() };
  const indexer = createIndexer({
    provider: network.provider,
    db,
    config: { ...TEST_INDEXER_CONFIG, confirmations: options.confirmations ?? 0 },
    deployment: {
      chainId: Number(ledgerDeployment.chainId),
      startBlock: ledgerDeployment.startBlock,
      contracts: {
        ReceivableToken: addresses.ledger,
        FinancingSettlement: addresses.financing,
        RepaymentVault: addresses.vault,
        RiskProgramme: (await settlement.programmes.getAddress()).toLowerCase(),
      },
    },
    logger: silentLogger(),
    useWriterLock: false,
  });
  await indexer.syncTo();

  // Custodial keys as the API holds them: wallets that sign locally (the nonce manager signs, then broadcasts).
  const wallet = (s: HardhatEthersSigner) => new Wallet(hardhatDevKeyOf(s.address) as string, ethers.provider);
  const custodial = new Map<string, Wallet>();
  for (const s of [core, tier1, tier2, tier3, bankA!, bankB!]) custodial.set(s.address.toLowerCase(), wallet(s));
  const identity = await chainIdentity(ethers.provider, { ReceivableToken: addresses.ledger, FinancingSettlement: addresses.financing, RepaymentVault: addresses.vault });
  // The API's clock follows the chain's: tests move both together with advanceTime.
  const clock = { offsetMs: ((await chainNow()) - Math.floor(Date.now() / 1000)) * 1000 };
  let indexing: Promise<unknown> = Promise.resolve();
  const documentDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-docs-"));

  // The API's configuration as the harness reads it (the domain needs its SIWE domain and profile key).
  const apiConfig = loadApiConfig({ ...options.env });

  /** One API process: its own database connections, nonce manager and app over the shared database and chain. */
  async function apiProcess(apiDb: Db): Promise<ApiProcess> {
    const nonceSql = openSql(apiDb.url);
    const signers = createSignerRegistry({
      provider: ethers.provider,
      organisations: custodial,
      operator: wallet(admin!),
      relayer: wallet(relayer!),
      interfaces: projectInterfaces(),
      sql: nonceSql,
      chain: identity,
      pollMs: 10,
      ...options.signerOptions,
    });
    const chain = createChainContext({ provider: ethers.provider, chainId: ledgerDeployment.chainId, addresses: { ...addresses, currency }, signers });
    // The API reads on its own connection, as in production (the indexer writes on db.sql).
    const readSql = openSql(apiDb.url);
    const domain = createDomain({
      db: apiDb.prisma,
      readSql,
      chain,
      now: () => new Date(Date.now() + clock.offsetMs),
      // The real indexer, driven to the block the write was mined in: reads after a write see it.
      // (One sync at a time: concurrent writes wait for their blocks together, as with the indexer's loop.)
      waitForIndexed: (blockNumber) => {
        const run = indexing.then(() => indexer.syncTo((options.confirmations ?? 0) > 0 ? undefined : blockNumber));
        indexing = run.catch(() => undefined);
        return run.then((status) => status.checkpoint >= blockNumber);
      },
      documentDir,
      localChain: isLocalDevelopmentChain(ledgerDeployment.chainId, { local: options.local ?? true }),
      ...profileSealedBoxOption(apiConfig, isLocalDevelopmentChain(ledgerDeployment.chainId, { local: options.local ?? true })),
      siwe: { domain: apiConfig.SIWE_DOMAIN, nonceTtlSeconds: apiConfig.SIWE_NONCE_TTL_SECONDS },
      notifications: { policy: { allowLoopback: apiConfig.API_WEBHOOK_ALLOW_LOOPBACK }, pollMs: apiConfig.API_NOTIFY_POLL_MS },
    });
    const h = await createHarness({
      db: apiDb,
      env: { ...options.env },
      chainId: Number(ledgerDeployment.chainId),
      chainHead: () => ethers.provider.getBlockNumber(),
      domainRoutes: domain.routes,
      idempotencyChain: idempotencyChainOf(ethers.provider, identity),
      ...options.app,
    });
    return {
      h,
      domain,
      ctx: domain.ctx,
      async close() {
        signers.close();
        await readSql.close();
        await nonceSql.close();
      },
    };
  }
  const main = await apiProcess(db);
  const { h, domain, ctx } = main;
  const extra: { p: ApiProcess; db: Db }[] = [];

  const key = async (subject: Parameters<Harness["auth"]["issueApiKey"]>[0]["subject"], label: string) =>
    (await h.auth.issueApiKey({ issuer: "bootstrap", subject, label })).token;
  const org = async (name: string, signer: HardhatEthersSigner): Promise<Actor> => ({
    name,
    address: signer.address.toLowerCase(),
    signer,
    auth: await key({ kind: "ORGANISATION", organisation: signer.address.toLowerCase(), admin: true }, name),
  });
  const world: World = {
    h,
    db,
    indexer,
    domain,
    ctx,
    cash,
    currency: currency.toLowerCase(),
    addresses,
    programmes: settlement.programmes,
    operator: { name: "operator", address: admin.address.toLowerCase(), signer: admin, auth: await key({ kind: "OPERATOR" }, "operator") },
    auditor: { name: "auditor", address: "", signer: admin, auth: await key({ kind: "AUDITOR" }, "auditor") },
    core: await org("core", core),
    tier1: await org("tier1", tier1),
    tier2: await org("tier2", tier2),
    tier3: await org("tier3", tier3),
    bankA: await org("bankA", bankA!),
    bankB: await org("bankB", bankB!),
    selfCore: await org("selfCore", selfCore!),
    outsider: outsider!,
    documentDir,
    async advanceTime(seconds: number) {
      await ethers.provider.send("evm_increaseTime", [seconds]);
      await ethers.provider.send("evm_mine", []);
      clock.offsetMs = ((await chainNow()) - Math.floor(Date.now() / 1000)) * 1000;
      await indexer.syncTo();
    },
    async anotherApiProcess() {
      const apiDb = await openDatabase({ url: db.url, migrate: false });
      const p = await apiProcess(apiDb);
      extra.push({ p, db: apiDb });
      return p;
    },
    async close() {
      for (const e of extra) {
        await e.p.close();
        await e.db.close();
      }
      await main.close();
      await indexer.stop();
      await h.close();
      await db.close();
      await fresh.drop();
      fs.rmSync(documentDir, { recursive: true, force: true });
    },
  };
  return world;
}

let invoiceCounter = 0;

/** Registers an invoice of `supplier` on `debtor` through the API and returns its hash. */
export async function registerInvoice(
  w: World,
  input: { supplier?: Actor; debtor?: Actor; amount: bigint; maturityInDays?: number; idempotencyKey?: string },
): Promise<string> {
  invoiceCounter += 1;
  const supplier = input.supplier ?? w.tier1;
  const res = await request(w.h.app)
    .post("/v1/invoices")
    .set(...bearer(supplier))
    .set("Idempotency-Key", input.idempotencyKey ?? `inv-${Date.now()}-${invoiceCounter}`)
    .send({
      debtor: (input.debtor ?? w.core).address,
      currency: w.currency,
      amount: input.amount.toString(),
      maturity: (await chainNow()) + (input.maturityInDays ?? 90) * DAY,
      invoiceNumber: `INV-${invoiceCounter}`,
      metadata: { goods: "steel coils", seq: invoiceCounter },
    });
  if (res.status !== 201) throw new Error(`register invoice: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.invoiceHash as string;
}

/** Registers and confirms an invoice; returns the root receivable id. */
export async function confirmedReceivable(w: World, input: { supplier?: Actor; amount: bigint; maturityInDays?: number }): Promise<string> {
  const invoiceHash = await registerInvoice(w, input);
  const res = await request(w.h.app)
    .post(`/v1/invoices/${invoiceHash}/confirm`)
    .set(...bearer(w.core))
    .set("Idempotency-Key", `confirm-${invoiceHash.slice(2, 20)}`)
    .send({});
  if (res.status !== 201) throw new Error(`confirm: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.rootId as string;
}

export type { IERC20 };
