/**
 * `startApiServer`: the API listening on a port next to a chain and a database, with the organisations'
 * custodial signers (given, or unlocked from the encrypted keystore), and `issueDemoLogins` for the
 * embedded start script. Used by `server/main.ts` and `scripts/start.ts`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Provider, Signer } from "ethers";
import { loadApiConfig, type ApiConfig } from "../config/api";
import { createSealedBox, developmentProfileKey, type SealedBox } from "../lib/sealedBox";
import type { Env } from "../config/env";
import type { Db } from "../db/client";
import { openSql } from "../db/sql";
import { createDomain, type Domain } from "../domain";
import { createChainContext, projectInterfaces, type DomainContext } from "../domain/context";
import { isLocalDevelopmentChain, type Deployment } from "../lib/deployment";
import { createLogger, type Logger } from "../lib/logger";
import { openKeyring, type Keyring } from "../signing/keyring";
import { chainIdentity, idempotencyChainOf } from "../lib/chainIdentity";
import { createSignerRegistry, observedBlockTimeMs, receiptPollMs } from "../signing/signers";
import { createDeliveryWorker, type DeliveryPolicy, type DeliveryWorker } from "../notifications/delivery";
import { createNotificationScheduler } from "../notifications/scheduler";
import { createApp, type ApiApp, type ApiDeps } from "./app";
import type { Duty, Principal } from "../auth/principal";

export interface StartApiServerOptions {
  db: Db;
  provider: Provider;
  deployment: Deployment;
  /** The API's environment (API_*, SIWE_*); process.env by default. */
  env?: Env;
  config?: ApiConfig;
  /** Custodial signers; when absent they are unlocked from API_KEYSTORE_DIR with API_KEYSTORE_PASSPHRASE. */
  signers?: { organisations: ReadonlyMap<string, Signer>; operator?: Signer; relayer?: Signer };
  logger?: Logger;
  /** Receipt polling interval in ms (RPC_POLL_MS); by default a quarter of the chain's observed block time. */
  pollMs?: number;
  /** How a write waits for the indexer to commit its block (default: poll the database). */
  waitForIndexed?: (blockNumber: number) => Promise<boolean>;
  /** The web app's build, served at `/` (see ApiDeps.webDir). */
  webDir?: string;
  /** Demo logins for the web app's picker (local chain only; see ApiDeps.demo). */
  demo?: ApiDeps["demo"];
}

export interface ApiServer extends ApiApp {
  server: http.Server;
  url: string;
  domain: Domain;
  ctx: DomainContext;
  /**
   * Gives each organisation three users with a fresh API key each — an admin, a maker and a checker
   * (issue 12 item 2) — and issues keys for the operator and an auditor.
   */
  issueDemoLogins(organisations: readonly { name: string; address: string }[]): Promise<DemoLogin[]>;
  close(): Promise<void>;
}

export interface DemoLogin {
  name: string;
  /** Organisation address, or OPERATOR / AUDITOR. */
  subject: string;
  apiKey: string;
  /** The organisation user the key belongs to (none for the operator and the auditor). */
  user?: { id: string; duties: readonly Duty[] };
}

/** The users `npm start` gives each demo organisation: who manages, who prepares, who approves. */
export const DEMO_USERS: readonly { label: string; duties: readonly Duty[] }[] = [
  { label: "admin", duties: ["admin", "viewer"] },
  { label: "maker", duties: ["maker", "viewer"] },
  { label: "checker", duties: ["checker", "viewer"] },
];

export async function startApiServer(options: StartApiServerOptions): Promise<ApiServer> {
  const config = options.config ?? loadApiConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ name: "api", level: config.API_LOG_LEVEL });
  let signers = options.signers;
  // The keystore every API process reads; keys created or imported later are loaded before each write.
  let keyring: Keyring | undefined;
  if (signers === undefined) {
    if (config.API_KEYSTORE_PASSPHRASE !== undefined) {
      keyring = await openKeyring({
        dir: config.API_KEYSTORE_DIR,
        passphrase: config.API_KEYSTORE_PASSPHRASE,
        logger,
        ...(config.API_KEYSTORE_SCRYPT_N === undefined ? {} : { scryptN: config.API_KEYSTORE_SCRYPT_N }),
      });
    }
    const operator = keyring?.operator;
    signers = { organisations: keyring?.organisations ?? new Map<string, Signer>(), ...(operator === undefined ? {} : { operator }) };
    logger.info({ custodial: signers.organisations.size, operator: operator !== undefined }, "api: keystore unlocked");
  }
  const contracts = options.deployment.contracts;
  const ledger = contracts.ReceivableToken;
  if (ledger === undefined) throw new Error("startApiServer: the deployment has no ReceivableToken address");
  const identity = await chainIdentity(options.provider, contracts);
  const pollMs = options.pollMs ?? receiptPollMs(await observedBlockTimeMs(options.provider));
  // The nonce book's own connection: its short write transactions never wait behind a read.
  const nonceSql = openSql(options.db.url);
  const signerRegistry = createSignerRegistry({
    provider: options.provider,
    organisations: signers.organisations,
    ...(signers.operator === undefined ? {} : { operator: signers.operator }),
    ...(signers.relayer === undefined ? {} : { relayer: signers.relayer }),
    interfaces: projectInterfaces(),
    sql: nonceSql,
    chain: identity,
    pollMs,
    logger,
  });
  // What a crash left pending is looked after before the first request.
  await signerRegistry.recover();
  logger.info({ pollMs, chain: identity.chainKey }, "api: nonce manager ready");
  const chain = createChainContext({
    provider: options.provider,
    chainId: identity.chainId,
    addresses: {
      ledger,
      ...(contracts.FinancingSettlement === undefined ? {} : { financing: contracts.FinancingSettlement }),
      ...(contracts.RepaymentVault === undefined ? {} : { vault: contracts.RepaymentVault }),
      ...(contracts.SettlementToken === undefined ? {} : { currency: contracts.SettlementToken }),
    },
    signers: signerRegistry,
  });
  // Its own read connection: never the indexer's writing one (see ApiDeps.sql).
  const readSql = openSql(options.db.url);
  // Deadlines and maturities are judged by the chain's clock, which may run ahead of ours (a local chain
  // moved forward in time, a skewed host): follow the latest block's timestamp when it is ahead.
  const clock = { aheadMs: 0 };
  const syncClock = async () => {
    try {
      const latest = await options.provider.getBlock("latest");
      if (latest !== null) clock.aheadMs = Math.max(0, latest.timestamp * 1000 - Date.now());
    } catch {
      // Keep the last offset; the chain being briefly unreachable does not move time.
    }
  };
  await syncClock();
  const clockTimer = setInterval(() => void syncClock(), 5_000);
  clockTimer.unref();
  const domain = createDomain({
    db: options.db.prisma,
    readSql,
    chain,
    now: () => new Date(Date.now() + clock.aheadMs),
    ...(options.waitForIndexed === undefined ? {} : { waitForIndexed: options.waitForIndexed }),
    documentDir: config.API_DOCUMENT_DIR,
    registrationDueDays: config.API_REGISTRATION_DUE_DAYS,
    localChain: isLocalDevelopmentChain(identity.chainId, options.deployment),
    ...profileSealedBoxOption(config, isLocalDevelopmentChain(identity.chainId, options.deployment), logger),
    siwe: { domain: config.SIWE_DOMAIN, nonceTtlSeconds: config.SIWE_NONCE_TTL_SECONDS },
    notifications: { policy: { allowLoopback: config.API_WEBHOOK_ALLOW_LOOPBACK }, pollMs: config.API_NOTIFY_POLL_MS },
    ...(keyring === undefined ? {} : { keyring }),
  });
  // Webhook deliveries from the outbox, in every API process (claims are atomic across processes), on
  // their own connection; the time-based notifications are produced at each of its ticks.
  const outboxSql = openSql(options.db.url);
  const profileBox = profileSealedBoxOption(config, isLocalDevelopmentChain(identity.chainId, options.deployment)).profileBox;
  let deliveries: DeliveryWorker | undefined;
  if (config.API_WEBHOOK_WORKER && profileBox !== undefined) {
    deliveries = createDeliveryWorker({
      sql: outboxSql,
      box: profileBox,
      policy: deliveryPolicyOf(config),
      logger,
      pollMs: config.API_NOTIFY_POLL_MS,
      beforeTick: atMostEvery(
        SCHEDULE_EVERY_MS,
        createNotificationScheduler({
          sql: outboxSql,
          now: () => new Date(Date.now() + clock.aheadMs),
          maturityDays: config.API_NOTIFY_MATURITY_DAYS,
          quoteExpiringSeconds: config.API_NOTIFY_QUOTE_EXPIRING_SECONDS,
        }),
      ),
    });
    deliveries.start();
  }
  const api = createApp({
    config,
    db: options.db.prisma,
    sql: readSql,
    logger,
    chainId: Number(identity.chainId),
    chainHead: () => options.provider.getBlockNumber(),
    genesisHash: async () => {
      const genesis = await options.provider.getBlock(0);
      if (genesis?.hash == null) throw new Error("the node returned no genesis block");
      return genesis.hash;
    },
    domainRoutes: domain.routes,
    idempotencyChain: idempotencyChainOf(options.provider, identity),
    ...(options.webDir === undefined ? {} : { webDir: options.webDir }),
    ...(options.demo === undefined ? {} : { demo: options.demo }),
  });
  const server = http.createServer(api.app);
  // Slow clients cannot hold sockets forever.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.API_PORT, config.API_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.API_HOST}:${port}`;
  logger.info({ url, docs: `${url}/v1/docs` }, "api: listening");
  return {
    ...api,
    server,
    url,
    domain,
    ctx: domain.ctx,
    async issueDemoLogins(organisations) {
      const logins: DemoLogin[] = [];
      const seeder: Principal = { kind: "OPERATOR", credentialId: "bootstrap" };
      for (const o of organisations) {
        const organisation = o.address.toLowerCase();
        for (const u of DEMO_USERS) {
          const user = await api.auth.createUser(seeder, { organisation, name: `${o.name} ${u.label}`, duties: u.duties });
          const issued = await api.auth.issueApiKey({
            issuer: "bootstrap",
            subject: { kind: "ORGANISATION", organisation, admin: u.duties.includes("admin"), userId: user.id },
            label: `demo: ${o.name} ${u.label}`,
          });
          logins.push({ name: `${o.name} ${u.label}`, subject: organisation, apiKey: issued.token, user: { id: user.id, duties: u.duties } });
        }
      }
      for (const kind of ["OPERATOR", "AUDITOR"] as const) {
        const issued = await api.auth.issueApiKey({ issuer: "bootstrap", subject: { kind }, label: `demo: ${kind.toLowerCase()}` });
        logins.push({ name: kind === "OPERATOR" ? "Platform operator" : "Auditor", subject: kind, apiKey: issued.token });
      }
      return logins;
    },
    async close() {
      clearInterval(clockTimer);
      domain.services.notifications.closeStreams();
      await deliveries?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open until their timeout.
        server.closeIdleConnections();
      });
      signerRegistry.close();
      await outboxSql.close();
      await readSql.close();
      await nonceSql.close();
    },
  };
}

/** How a newcomer logs in as each demo organisation, printed by the start script (keys shown once). */
export function formatDemoLogins(url: string, logins: readonly DemoLogin[]): string {
  const width = Math.max(...logins.map((l) => l.name.length));
  const lines = logins.map((l) => `  ${l.name.padEnd(width)}  ${l.apiKey}  (${l.subject}${l.user === undefined ? "" : `; ${l.user.duties.join(", ")}`})`);
  return [
    `API: ${url}/v1   documentation: ${url}/v1/docs`,
    "Log in with an API key (shown once; keep it). Each organisation has an admin (users, keys, thresholds), a maker (prepares and sends) and a checker (approves what a maker prepared above the organisation's thresholds; none are set until its admin sets them with PUT /v1/thresholds):",
    ...lines,
    `e.g.  curl -H "Authorization: Bearer <key>" ${url}/v1/me`,
    `or exchange it for a session:  curl -X POST -H 'Content-Type: application/json' -d '{"apiKey":"<key>"}' ${url}/v1/auth/sessions`,
  ].join("\n");
}

/**
 * The sealed box of organisations' bank accounts: API_PROFILE_ENCRYPTION_KEY when set; on a local
 * development chain without it, the fixed development key (logged: it protects nothing); elsewhere none,
 * and the profile routes answer 503 until the key is configured.
 */
export function profileSealedBoxOption(config: Pick<ApiConfig, "API_PROFILE_ENCRYPTION_KEY">, localChain: boolean, logger?: { warn(msg: string): void }): { profileBox?: SealedBox } {
  if (config.API_PROFILE_ENCRYPTION_KEY !== undefined) return { profileBox: createSealedBox(config.API_PROFILE_ENCRYPTION_KEY) };
  if (!localChain) {
    logger?.warn("api: API_PROFILE_ENCRYPTION_KEY is not set; organisation profiles (bank accounts) cannot be written or read");
    return {};
  }
  logger?.warn("api: API_PROFILE_ENCRYPTION_KEY is not set; bank accounts are encrypted with the public development key (local chain only)");
  return { profileBox: createSealedBox(developmentProfileKey()) };
}

/** The delivery worker's policy from the API's configuration. */
export function deliveryPolicyOf(config: ApiConfig): DeliveryPolicy {
  return {
    allowLoopback: config.API_WEBHOOK_ALLOW_LOOPBACK,
    maxAttempts: config.API_WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: config.API_WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: config.API_WEBHOOK_RETRY_MAX_MS,
    timeoutMs: config.API_WEBHOOK_TIMEOUT_MS,
  };
}

/** The time-based notifications are scanned at most this often (their granularity is hours and days). */
const SCHEDULE_EVERY_MS = 30_000;

function atMostEvery(ms: number, fn: () => Promise<unknown>): () => Promise<unknown> {
  let last = 0;
  return async () => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    await fn();
  };
}
