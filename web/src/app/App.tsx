import { Center, Loader, MantineProvider } from "@mantine/core";
import { lazy, Suspense, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from "react-router";
import { ApiError } from "../lib/api/client";
import { useSession } from "./auth";
import { ErrorNotice } from "./ErrorNotice";
import { LoginPage } from "./LoginPage";
import { NotFound } from "./NotFound";
import { navOf, Shell } from "./Shell";
import { TodoList } from "./TodoList";
import { theme } from "./theme";

// Each role's screens are loaded when first opened: the first load carries the shell and sign-in only.
const HoldingsPage = lazy(() => import("../features/receivables/HoldingsPage").then((m) => ({ default: m.HoldingsPage })));
const OffersPage = lazy(() => import("../features/receivables/OffersPage").then((m) => ({ default: m.OffersPage })));
const MyFinancingPage = lazy(() => import("../features/financing/MyFinancingPage").then((m) => ({ default: m.MyFinancingPage })));
const MarketPage = lazy(() => import("../features/financing/MarketPage").then((m) => ({ default: m.MarketPage })));
const PortfolioPage = lazy(() => import("../features/financing/PortfolioPage").then((m) => ({ default: m.PortfolioPage })));
const RegisterInvoicePage = lazy(() => import("../features/invoices/RegisterInvoicePage").then((m) => ({ default: m.RegisterInvoicePage })));
const InvoicesPage = lazy(() => import("../features/invoices/InvoicesPage").then((m) => ({ default: m.InvoicesPage })));
const PayablesPage = lazy(() => import("../features/settlement/PayablesPage").then((m) => ({ default: m.PayablesPage })));
const OrganisationsPage = lazy(() => import("../features/organisations/OrganisationsPage").then((m) => ({ default: m.OrganisationsPage })));
const DirectoryPage = lazy(() => import("../features/organisations/DirectoryPage").then((m) => ({ default: m.DirectoryPage })));
const OnboardingPage = lazy(() => import("../features/organisations/OnboardingPage").then((m) => ({ default: m.OnboardingPage })));
const LedgerPage = lazy(() => import("../features/ledger/LedgerPage").then((m) => ({ default: m.LedgerPage })));
const DisputesPage = lazy(() => import("../features/disputes/DisputesPage").then((m) => ({ default: m.DisputesPage })));
const AuditPage = lazy(() => import("../features/audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const ApprovalsPage = lazy(() => import("../features/approvals/ApprovalsPage").then((m) => ({ default: m.ApprovalsPage })));
const UsersPage = lazy(() => import("../features/users/UsersPage").then((m) => ({ default: m.UsersPage })));
const WebhooksPage = lazy(() => import("../features/notifications/WebhooksPage").then((m) => ({ default: m.WebhooksPage })));
const ReceivablePage = lazy(() => import("../features/receivables/ReceivablePage").then((m) => ({ default: m.ReceivablePage })));

/**
 * A role's screen: shown only to the roles whose navigation lists it; anyone else who types its URL sees
 * "not found", as the API would answer its requests (the API stays the authority either way).
 */
function Page({ children }: { children: ReactNode }) {
  const session = useSession();
  const { pathname } = useLocation();
  const me = session.data;
  if (me !== undefined && me !== null && !navOf(me).some((item) => item.to === pathname)) return <NotFound />;
  return <Suspense fallback={<Loader size="sm" />}>{children}</Suspense>;
}

/** A page every role may open (what it shows is what the API answers to that role). */
function AnyRole({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loader size="sm" />}>{children}</Suspense>;
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // 4xx answers are final (not found, not allowed); only network and server errors are retried.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

/** Signed in: the shell and the role's screens; otherwise the sign-in page (whatever the URL). */
function Root() {
  const { t } = useTranslation("app");
  const session = useSession();
  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label={t("loading")} />
      </Center>
    );
  }
  if (session.error !== null) return <ErrorNotice error={session.error} />;
  if (session.data === null) return <LoginPage />;
  return <Shell me={session.data} />;
}

function Home() {
  const session = useSession();
  return session.data ? <TodoList me={session.data} /> : null;
}

const router = createBrowserRouter([
  {
    path: "/",
    element: <Root />,
    children: [
      { index: true, element: <Home /> },
      { path: "holdings", element: <Page><HoldingsPage /></Page> },
      { path: "offers", element: <Page><OffersPage /></Page> },
      { path: "financing", element: <Page><MyFinancingPage /></Page> },
      { path: "market", element: <Page><MarketPage /></Page> },
      { path: "portfolio", element: <Page><PortfolioPage /></Page> },
      { path: "invoices", element: <Page><InvoicesPage /></Page> },
      { path: "invoices/new", element: <Page><RegisterInvoicePage /></Page> },
      { path: "payables", element: <Page><PayablesPage /></Page> },
      { path: "organisations", element: <Page><OrganisationsPage /></Page> },
      { path: "directory", element: <Page><DirectoryPage /></Page> },
      { path: "onboarding", element: <Page><OnboardingPage /></Page> },
      { path: "ledger", element: <Page><LedgerPage /></Page> },
      { path: "disputes", element: <Page><DisputesPage /></Page> },
      { path: "audit", element: <Page><AuditPage /></Page> },
      { path: "approvals", element: <Page><ApprovalsPage /></Page> },
      { path: "users", element: <Page><UsersPage /></Page> },
      { path: "webhooks", element: <Page><WebhooksPage /></Page> },
      { path: "receivables/:id", element: <AnyRole><ReceivablePage /></AnyRole> },
      { path: "login", element: <Navigate to="/" replace /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
