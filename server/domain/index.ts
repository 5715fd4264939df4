/**
 * The composition root of the domain: `createDomain` builds the context every use case shares, each
 * service once (a service that needs another is handed the one built here, never builds its own) and
 * the routes over them. The API server, the tests and the benchmarks all build the domain here, so a
 * cache inside a service is one cache per domain.
 */
import type { AnyRoute } from "../api/route";
import type { PrismaClient } from "../db/client";
import type { Sql } from "../db/sql";
import type { Keyring } from "../signing/keyring";
import type { SealedBox } from "../lib/sealedBox";
import { indexedWaiter, type ChainContext, type DomainContext } from "./context";
import { createReads } from "./reads";
import { approvalRoutes } from "./approvals/routes";
import { governedSpecs, governRoutes } from "./approvals/governed";
import { createApprovalService } from "./approvals/service";
import { auditRoutes } from "./audit/routes";
import { chainRoutes } from "./chain/routes";
import { createDisputeService } from "./disputes/service";
import { disputeRoutes } from "./disputes/routes";
import { createPortfolioService } from "./financing/portfolio";
import { createFinancingService } from "./financing/service";
import { createRegistrationService, DEFAULT_REGISTRATION_DUE_DAYS } from "./financing/registrations";
import { financingRoutes } from "./financing/routes";
import { createInvoiceService } from "./invoices/service";
import { invoiceRoutes } from "./invoices/routes";
import { keystoreRoutes } from "./keystore/routes";
import { ledgerRoutes } from "./ledger/routes";
import { createLedgerAdminService } from "./ledger/service";
import { createKeystoreService } from "./keystore/service";
import { createCurrencyDirectory } from "./money/currencies";
import { moneyRoutes } from "./money/routes";
import { createOnboardingService } from "./organisations/onboarding";
import { createProfileService } from "./organisations/profiles";
import { createOrganisationService } from "./organisations/service";
import { organisationRoutes } from "./organisations/routes";
import { createNotificationService } from "./notifications/service";
import { notificationRoutes } from "./notifications/routes";
import type { WebhookTargetPolicy } from "../notifications/targets";
import { preparedActionNotificationData, quoteNotificationData } from "../notifications/types";
import { createProgrammeService } from "./programmes/service";
import { programmeRoutes } from "./programmes/routes";
import { createReceivableService } from "./receivables/service";
import { receivableRoutes } from "./receivables/routes";
import { createSettlementService } from "./settlement/service";
import { settlementRoutes } from "./settlement/routes";
import { createTraceService } from "./trace/service";
import { traceRoutes } from "./trace/routes";

export interface DomainDeps {
  db: PrismaClient;
  /** The API's own read connection: never the indexer's writing one, so a read never sees a half-applied block. */
  readSql: Sql;
  chain: ChainContext;
  /** The clock deadlines and maturities are judged by; the wall clock by default. */
  now?: () => Date;
  /** Waits until the indexer has committed a block; polls the indexer's checkpoint by default. */
  waitForIndexed?: (blockNumber: number) => Promise<boolean>;
  /** Where uploaded invoice documents are kept. */
  documentDir: string;
  /**
   * A local development chain (`isLocalDevelopmentChain`): the operator's faucet may mint the test
   * settlement token. False (the faucet refuses) unless the server decided so from the chain and record.
   */
  localChain?: boolean;
  /** Days a financing may stay unregistered in the PBOC registry before it is flagged (API_REGISTRATION_DUE_DAYS). */
  registrationDueDays?: number;
  /** The custodial keystore the operator manages through the API (absent: those routes answer 503). */
  keyring?: Keyring;
  /**
   * Seals organisations' bank accounts (API_PROFILE_ENCRYPTION_KEY; see `profileSealedBox`). Absent:
   * writing or reading a profile answers 503 ProfileEncryptionNotConfigured.
   */
  profileBox?: SealedBox;
  /**
   * Notifications: where webhooks may point (API_WEBHOOK_ALLOW_LOOPBACK) and how often an event stream
   * looks for new ones; the outbox is written on `readSql`'s connection (its own transactions).
   */
  notifications?: { policy: WebhookTargetPolicy; pollMs: number };
  /** The domain self-application messages name (SIWE_DOMAIN) and their nonce's lifetime; defaults as the API config's. */
  siwe?: { domain: string; nonceTtlSeconds: number };
}

export function createDomain(deps: DomainDeps) {
  const ctx: DomainContext = {
    db: deps.db,
    reads: createReads(deps.readSql),
    chain: deps.chain,
    now: deps.now ?? (() => new Date()),
    waitForIndexed: deps.waitForIndexed ?? indexedWaiter(deps.db),
  };
  const receivables = createReceivableService(ctx);
  const currencies = createCurrencyDirectory(ctx);
  const registrations = createRegistrationService(ctx, { currencies, dueDays: deps.registrationDueDays ?? DEFAULT_REGISTRATION_DUE_DAYS });
  const profiles = createProfileService(ctx, { sealedBox: deps.profileBox });
  const notifications = createNotificationService(ctx, {
    sql: deps.readSql,
    box: deps.profileBox,
    policy: deps.notifications?.policy ?? { allowLoopback: false },
    pollMs: deps.notifications?.pollMs ?? 1_000,
  });
  const organisations = createOrganisationService(ctx, { profiles });
  const services = {
    organisations,
    profiles,
    onboarding: createOnboardingService(ctx, { profiles, organisations }, {
      documentDir: deps.documentDir,
      siwe: deps.siwe ?? { domain: "127.0.0.1:3000", nonceTtlSeconds: 300 },
    }),
    invoices: createInvoiceService(ctx, { documentDir: deps.documentDir }),
    receivables,
    disputes: createDisputeService(ctx),
    trace: createTraceService(ctx, { receivables }),
    financing: createFinancingService(ctx, {
      receivables,
      registrations,
      notifyQuoteReceived: (q) =>
        notifications.enqueue({
          type: "quote.received",
          target: q.id,
          organisations: [q.holder],
          data: quoteNotificationData({ id: q.id, request_id: q.requestId, financier: q.financier, receivable_id: q.receivableId, amount: q.amount, advance: q.advance, repayment: q.repayment, mode: q.mode, currency: q.currency, expiry: q.expiry }),
        }),
    }),
    portfolio: createPortfolioService(ctx, { registrations }),
    registrations,
    settlement: createSettlementService(ctx, { receivables }),
    currencies,
    keystore: createKeystoreService(ctx, deps.keyring),
    programmes: createProgrammeService(ctx),
    ledger: createLedgerAdminService(ctx),
    approvals: createApprovalService(ctx, {
      notifyAwaitingApproval: (a) =>
        notifications.enqueue({
          type: "preparedAction.awaitingApproval",
          target: a.id,
          organisations: [a.organisation],
          data: preparedActionNotificationData({ id: a.id, action: a.action, currency: a.currency, amount: a.amount, prepared_by: a.preparedBy, expires_at_ms: a.expiresAtMs }),
        }),
    }),
    notifications,
  };
  /** Every domain's routes, mounted by `createApp` through `ApiDeps.domainRoutes`. */
  const businessRoutes: AnyRoute[] = [
    ...organisationRoutes(services),
    ...invoiceRoutes(services.invoices),
    ...receivableRoutes(services.receivables),
    ...disputeRoutes(services.disputes),
    ...traceRoutes(services.trace),
    ...financingRoutes(services),
    ...settlementRoutes(services.settlement),
    ...programmeRoutes(services.programmes),
    ...auditRoutes(ctx, { registrations }),
    ...chainRoutes(ctx),
    ...moneyRoutes(ctx, services.currencies, { localChain: deps.localChain === true }),
    ...keystoreRoutes(services.keystore),
    ...ledgerRoutes(services.ledger),
    ...notificationRoutes(services.notifications),
  ];
  // Confirmations, transfers, quotes and deposits above an organisation's threshold need a checker
  // (issue 12 item 2): those routes are wrapped, and prepared actions send through their handlers.
  const { routes: governedRoutes, governed } = governRoutes(businessRoutes, governedSpecs(services), services.approvals);
  const domainRoutes: AnyRoute[] = [...governedRoutes, ...approvalRoutes(services.approvals, governed)];
  const keyring = deps.keyring;
  const routes = keyring === undefined ? domainRoutes : domainRoutes.map((route) => withKeysLoaded(route, keyring));
  return { ctx, services, routes, governed };
}

export type Domain = ReturnType<typeof createDomain>;

/**
 * Before each write, the keys other processes (or `npm run keystore`) added to the shared keystore are
 * loaded, so an organisation whose key was created through another process writes here at once. One
 * directory listing per write when nothing changed.
 */
function withKeysLoaded(route: AnyRoute, keyring: Keyring): AnyRoute {
  if (route.method === "get") return route;
  return {
    ...route,
    handler: async (c) => {
      await keyring.refresh();
      return route.handler(c);
    },
  };
}
