import { usePreparedActions } from "../features/approvals/api";
import { useInvoicesToConfirm } from "../features/invoices/api";
import { useOpenRequests } from "../features/financing/api";
import { useHoldings, useIncomingOffers } from "../features/receivables/api";
import type { Me } from "./auth";

export interface TodoItem {
  kind: "offers" | "invoices" | "requests" | "maturities" | "approvals";
  count: number;
  /** The screen where it is done, when that screen exists. */
  to?: string;
}

/** What waits for this organisation, by role; only non-zero items. */
export function useTodo(me: Me): { items: TodoItem[] | undefined; error: Error | null } {
  const isOrg = me.organisation !== null;
  const holds = me.role === "SUPPLIER" || me.role === "FINANCIER";
  const offers = useIncomingOffers(isOrg);
  const invoices = useInvoicesToConfirm(me.role === "CORE_ENTERPRISE");
  const requests = useOpenRequests(me.role === "FINANCIER");
  const holdings = useHoldings(holds);
  // A checker: what others prepared, waiting for it (issue 12 item 2).
  const checker = me.user?.duties.includes("checker") === true;
  const approvals = usePreparedActions("PENDING", checker);
  const queries = [
    isOrg ? offers : undefined,
    me.role === "CORE_ENTERPRISE" ? invoices : undefined,
    me.role === "FINANCIER" ? requests : undefined,
    holds ? holdings : undefined,
    checker ? approvals : undefined,
  ].filter(
    (q) => q !== undefined,
  );
  const error = queries.find((q) => q.error !== null)?.error ?? null;
  if (queries.some((q) => q.data === undefined)) return { items: undefined, error };
  const matured = (holdings.data?.pages ?? []).flatMap((p) => p.items).filter((r) => r.status === "MATURED" && r.holder === me.organisation).length;
  const items: TodoItem[] = [
    { kind: "offers", count: isOrg ? (offers.data?.length ?? 0) : 0, to: "/offers" },
    { kind: "invoices", count: invoices.data?.length ?? 0, to: "/invoices" },
    { kind: "requests", count: requests.data?.length ?? 0, to: "/market" },
    { kind: "maturities", count: holds ? matured : 0, to: "/holdings" },
    { kind: "approvals", count: checker ? (approvals.data?.filter((a) => a.preparedBy.id !== me.user?.id).length ?? 0) : 0, to: "/approvals" },
  ];
  return { items: items.filter((i) => i.count > 0), error };
}
