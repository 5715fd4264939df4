/**
 * `createApp(deps)`: the whole HTTP API as an Express app, built from its dependencies and not listening
 * (tests use supertest; `server/main.ts` and `startApiServer` listen). Each domain folder contributes its
 * routes; the OpenAPI document is generated from exactly the routes mounted here.
 */
import type { Express } from "express";
import { createLogger, type Logger } from "../lib/logger";
import type { ApiConfig } from "../config/api";
import type { PrismaClient, Sql } from "../db/client";
import { createPrismaAuthStore } from "../auth/prismaAuthStore";
import { authRoutes, LOCAL_CHAIN_IDS, type DemoLogins } from "../auth/routes";
import { createAuthService, type AuthService } from "../auth/service";
import { userRoutes } from "../auth/userRoutes";
import { createHttpApp } from "./http";
import { createPrismaIdempotencyStore, type IdempotencyChain } from "./idempotency";
import { buildOpenApiDocument, renderOpenApiHtml } from "./openapi";
import { memoryRateLimitStore, sqlRateLimitStore } from "./middleware/rateLimit";
import { createProjectionGuard, type ProjectionGuard } from "./projection";
import { createReadinessProbe } from "./readiness";
import type { AnyRoute } from "./route";
import { systemRoutes, type ReadinessProbe } from "./system";
import { hasWebBuild, webAppMiddleware } from "./web";

export interface ApiDeps {
  config: ApiConfig;
  db: PrismaClient;
  /**
   * A read handle on the same database for the hot paths (authentication, receivables, traces). Give
   * the API its own (`openSql(url)`), not the indexer's writing connection: on SQLite one connection
   * would let a read see a block the indexer is still applying.
   */
  sql: Sql;
  logger?: Logger;
  /** Chain id the SIWE messages must name (checked when given). */
  chainId?: number;
  /** The chain head, for `/ready`'s lag. */
  chainHead?: () => Promise<number>;
  /** The chain's genesis block hash: a different one than the database indexed means the chain was reset. */
  genesisHash?: () => Promise<string>;
  /** Routes of the domain use cases (organisations, receivables, financing, ...). */
  domainRoutes?: readonly AnyRoute[];
  readiness?: ReadinessProbe;
  now?: () => Date;
  /** The chain idempotent answers are bound to (without it, answers are bound to no chain and never checked). */
  idempotencyChain?: IdempotencyChain;
  /** The web app's build (`web/dist`), served at `/` when it holds an index.html. */
  webDir?: string;
  /** Demo logins for the web app's picker: refused unless `chainId` is a local development chain. */
  demo?: DemoLogins;
}

export interface ApiApp {
  app: Express;
  auth: AuthService;
  openApiDocument: Record<string, unknown>;
  routes: readonly AnyRoute[];
}

export const API_VERSION = "1.0.0";

export function createApp(deps: ApiDeps): ApiApp {
  // The logger redacts secret-named fields; the request logger never logs headers or bodies anyway.
  const logger = deps.logger ?? createLogger({ name: "api", level: deps.config.API_LOG_LEVEL });
  const now = deps.now ?? (() => new Date());
  if (deps.demo !== undefined && (deps.chainId === undefined || !LOCAL_CHAIN_IDS.includes(deps.chainId))) {
    throw new Error(`demo logins are only allowed on a local development chain (chain id ${LOCAL_CHAIN_IDS.join(" or ")}), not ${deps.chainId ?? "an unknown chain"}`);
  }
  const auth = createAuthService({
    store: createPrismaAuthStore(deps.db, deps.sql),
    sessionTtlSeconds: deps.config.API_SESSION_TTL_SECONDS,
    siwe: {
      domain: deps.config.SIWE_DOMAIN,
      nonceTtlSeconds: deps.config.SIWE_NONCE_TTL_SECONDS,
      ...(deps.chainId === undefined ? {} : { chainId: deps.chainId }),
    },
    now,
  });
  const guard = createProjectionGuard({ sql: deps.sql, ...(deps.genesisHash === undefined ? {} : { genesisHash: deps.genesisHash }) });
  const readiness =
    deps.readiness ??
    createReadinessProbe({
      guard,
      maxLagBlocks: deps.config.API_READY_MAX_LAG_BLOCKS,
      maxHeartbeatAgeMs: deps.config.API_READY_MAX_HEARTBEAT_AGE_SECONDS * 1000,
      ...(deps.chainHead === undefined ? {} : { chainHead: deps.chainHead }),
    });

  let document: Record<string, unknown> = {};
  let html = "";
  const routes: AnyRoute[] = [
    ...systemRoutes({ readiness, document: () => document, documentHtml: () => html }),
    ...authRoutes(auth, deps.demo === undefined ? {} : { demo: deps.demo }),
    ...userRoutes(auth),
    // Reads of indexed data refuse to serve rows known not to match the chain (503 ProjectionInvalid).
    ...(deps.domainRoutes ?? []).map((route) => (route.method === "get" ? guardedRead(route, guard) : route)),
  ];
  document = buildOpenApiDocument(routes, {
    title: "Ledgerline API",
    version: API_VERSION,
    description:
      "Supply-chain finance ledger: core enterprises confirm invoices into receivables, suppliers split and transfer them down the chain and request financing, banks quote and fund, auditors trace. Amounts are decimal strings of settlement-token base units.",
  }) as unknown as Record<string, unknown>;
  html = renderOpenApiHtml(document);

  const app = createHttpApp({
    config: deps.config,
    logger,
    routes,
    authenticator: auth,
    idempotency: createPrismaIdempotencyStore(deps.db, {
      now,
      retentionMs: deps.config.API_IDEMPOTENCY_RETENTION_HOURS * 3_600_000,
      staleMs: deps.config.API_IDEMPOTENCY_STALE_SECONDS * 1_000,
      ...(deps.idempotencyChain === undefined ? {} : { chain: deps.idempotencyChain }),
    }),
    // PostgreSQL serves several API processes: they count in the same rows. SQLite has one API process.
    rateLimitStore: deps.sql.dialect === "postgres" ? sqlRateLimitStore(deps.sql) : memoryRateLimitStore(),
    ...(deps.webDir !== undefined && hasWebBuild(deps.webDir) ? { web: webAppMiddleware(deps.webDir) } : {}),
  });
  return { app, auth, openApiDocument: document, routes };
}

function guardedRead(route: AnyRoute, guard: ProjectionGuard): AnyRoute {
  return {
    ...route,
    errors: [...new Set([...(route.errors ?? []), 503])],
    handler: async (ctx) => {
      await guard.assertValid();
      return route.handler(ctx);
    },
  };
}
