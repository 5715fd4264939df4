/**
 * Every domain's routes, mounted by `createApp` through `ApiDeps.domainRoutes`.
 */
import type { AnyRoute } from "../api/route";
import type { DomainContext } from "./context";
import { auditRoutes } from "./audit/routes";
import { chainRoutes } from "./chain/routes";
import { disputeRoutes } from "./disputes/routes";
import { financingRoutes } from "./financing/routes";
import { invoiceRoutes } from "./invoices/routes";
import { moneyRoutes } from "./money/routes";
import { organisationRoutes } from "./organisations/routes";
import { receivableRoutes } from "./receivables/routes";
import { settlementRoutes } from "./settlement/routes";
import { traceRoutes } from "./trace/routes";

export interface DomainOptions {
  /** Where uploaded invoice documents are kept. */
  documentDir: string;
  /**
   * A local development chain (`isLocalDevelopmentChain`): the operator's faucet may mint the test
   * settlement token. False (the faucet refuses) unless the server decided so from the chain and record.
   */
  localChain?: boolean;
}

export function createDomainRoutes(ctx: DomainContext, options: DomainOptions): AnyRoute[] {
  return [
    ...organisationRoutes(ctx),
    ...invoiceRoutes(ctx, options),
    ...receivableRoutes(ctx),
    ...disputeRoutes(ctx),
    ...traceRoutes(ctx),
    ...financingRoutes(ctx),
    ...settlementRoutes(ctx),
    ...auditRoutes(ctx),
    ...chainRoutes(ctx),
    ...moneyRoutes(ctx, { localChain: options.localChain === true }),
  ];
}
