/**
 * Every TanStack Query key of the app, built in one place (TanStack's query-key-factory convention):
 * a mutation invalidates exactly the keys of what it changed.
 */
export const queryKeys = {
  session: ["session"] as const,
  signing: ["signing"] as const,
  demoLogins: ["demo-logins"] as const,
  chain: ["chain"] as const,
  currencies: ["currencies"] as const,
  balances: ["balances"] as const,
  ledgerParameters: ["ledger-parameters"] as const,
  programmes: ["programmes"] as const,
  ledger: {
    status: ["ledger", "status"] as const,
  },
  organisations: {
    all: ["organisations"] as const,
    issuanceLimit: (address: string) => [...queryKeys.organisations.all, "issuance-limit", address] as const,
    directory: (q: string) => [...queryKeys.organisations.all, "directory", q] as const,
    applications: (status: string) => [...queryKeys.organisations.all, "applications", status] as const,
  },
  receivables: {
    all: ["receivables"] as const,
    list: () => [...queryKeys.receivables.all, "list"] as const,
    one: (id: string) => [...queryKeys.receivables.all, "one", id] as const,
    offers: () => [...queryKeys.receivables.all, "offers"] as const,
  },
  trace: {
    all: ["trace"] as const,
    one: (id: string) => [...queryKeys.trace.all, id] as const,
  },
  disputes: {
    all: ["disputes"] as const,
    list: () => [...queryKeys.disputes.all, "list"] as const,
  },
  invoices: {
    all: ["invoices"] as const,
    toConfirm: () => [...queryKeys.invoices.all, "to-confirm"] as const,
  },
  notifications: {
    all: ["notifications"] as const,
    latest: () => [...queryKeys.notifications.all, "latest"] as const,
    webhooks: () => [...queryKeys.notifications.all, "webhooks"] as const,
    deliveries: (id: string) => [...queryKeys.notifications.all, "deliveries", id] as const,
  },
  settlement: {
    all: ["settlement"] as const,
    pools: () => [...queryKeys.settlement.all, "pools"] as const,
  },
  approvals: {
    all: ["approvals"] as const,
    list: (status: string) => [...queryKeys.approvals.all, "list", status] as const,
    thresholds: ["approvals", "thresholds"] as const,
  },
  users: {
    all: ["users"] as const,
    list: () => [...queryKeys.users.all, "list"] as const,
  },
  financing: {
    all: ["financing"] as const,
    openRequests: () => [...queryKeys.financing.all, "requests"] as const,
    mine: () => [...queryKeys.financing.all, "mine"] as const,
    quotes: (requestId: string) => [...queryKeys.financing.all, "quotes", requestId] as const,
    myQuotes: () => [...queryKeys.financing.all, "my-quotes"] as const,
    portfolio: () => [...queryKeys.financing.all, "portfolio"] as const,
    exposureLimits: () => [...queryKeys.financing.all, "exposure-limits"] as const,
  },
};
