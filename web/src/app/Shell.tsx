import { Anchor, AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, NavLink as RouterNavLink, Outlet } from "react-router";
import { ChainStatus } from "../features/chain/ChainStatus";
import { PausedBanner } from "../features/ledger/PausedBanner";
import { shortAddress } from "../lib/dates";
import { useDemoLogins, useSignOut, type Me, type Role } from "./auth";
import { LanguageSwitch } from "./LanguageSwitch";
import { lazy, Suspense } from "react";

// The bell (its popover and the event stream) loads after the shell: the first load stays small.
const NotificationBell = lazy(() => import("../features/notifications/NotificationBell").then((m) => ({ default: m.NotificationBell })));

/** A screen in the navigation; with `duty`, only for users who hold it (issue 12 item 2). */
export interface NavItem {
  to: string;
  label: string;
  duty?: NonNullable<Me["user"]>["duties"][number];
}

/** The screens of each role, in the navigation's order (a role sees only its own). */
export const NAV: Record<Role, readonly NavItem[]> = {
  SUPPLIER: [
    { to: "/", label: "nav.home" },
    { to: "/holdings", label: "nav.holdings" },
    { to: "/offers", label: "nav.offers" },
    { to: "/financing", label: "nav.financing" },
    { to: "/invoices/new", label: "nav.registerInvoice" },
    { to: "/directory", label: "nav.directory" },
    { to: "/approvals", label: "nav.approvals" },
    { to: "/users", label: "nav.users", duty: "admin" },
    { to: "/webhooks", label: "nav.webhooks", duty: "admin" },
  ],
  FINANCIER: [
    { to: "/", label: "nav.home" },
    { to: "/market", label: "nav.market" },
    { to: "/portfolio", label: "nav.portfolio" },
    { to: "/holdings", label: "nav.holdings" },
    { to: "/offers", label: "nav.offers" },
    { to: "/directory", label: "nav.directory" },
    { to: "/approvals", label: "nav.approvals" },
    { to: "/users", label: "nav.users", duty: "admin" },
    { to: "/webhooks", label: "nav.webhooks", duty: "admin" },
  ],
  CORE_ENTERPRISE: [
    { to: "/", label: "nav.home" },
    { to: "/invoices", label: "nav.invoices" },
    { to: "/payables", label: "nav.payables" },
    { to: "/holdings", label: "nav.holdings" },
    { to: "/directory", label: "nav.directory" },
    { to: "/approvals", label: "nav.approvals" },
    { to: "/users", label: "nav.users", duty: "admin" },
    { to: "/webhooks", label: "nav.webhooks", duty: "admin" },
  ],
  OPERATOR: [
    { to: "/", label: "nav.home" },
    { to: "/organisations", label: "nav.organisations" },
    { to: "/onboarding", label: "nav.onboarding" },
    { to: "/directory", label: "nav.directory" },
    { to: "/ledger", label: "nav.ledger" },
    { to: "/disputes", label: "nav.disputes" },
    { to: "/holdings", label: "nav.allReceivables" },
  ],
  AUDITOR: [
    { to: "/", label: "nav.home" },
    { to: "/audit", label: "nav.audit" },
    { to: "/holdings", label: "nav.allReceivables" },
    { to: "/organisations", label: "nav.organisations" },
    { to: "/onboarding", label: "nav.onboarding" },
    { to: "/directory", label: "nav.directory" },
    { to: "/disputes", label: "nav.disputes" },
  ],
};

/** The screens this user sees: its role's, less those needing a duty it does not hold. */
export function navOf(me: Me): readonly NavItem[] {
  return NAV[me.role].filter((item) => item.duty === undefined || (me.user?.duties ?? []).includes(item.duty));
}

/** The organisation's display name: the demo directory's name when there is one, else its address. */
function useOrganisationName(me: Me): string {
  const { t } = useTranslation("app");
  const demo = useDemoLogins();
  const subject = me.organisation ?? me.role;
  const named = demo.data?.find((o) => o.subject === subject)?.name;
  return named ?? (me.organisation === null ? t(`role.${me.role}`) : shortAddress(me.organisation));
}

export function Shell({ me }: { me: Me }) {
  const { t } = useTranslation("app");
  const signOut = useSignOut();
  const name = useOrganisationName(me);
  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 220, breakpoint: "sm" }} padding="md">
      <AppShell.Header>
        <Anchor href="#main" className="skip-link">
          {t("skipToContent")}
        </Anchor>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Anchor component={Link} to="/" fw={700} underline="never">
              {t("appName")}
            </Anchor>
            <Stack gap={0}>
              <Text fw={600} size="sm" data-testid="organisation-name">
                {name}
              </Text>
              <Group gap={6} wrap="nowrap">
                <Badge size="sm" variant="outline" color="dark">
                  {t(`role.${me.role}`)}
                </Badge>
                {me.user !== null && me.user !== undefined && (
                  <Text size="xs" data-testid="user-name">
                    {me.user.name}
                  </Text>
                )}
              </Group>
            </Stack>
          </Group>
          <ChainStatus />
          <Group gap="sm" wrap="nowrap" align="flex-end">
            {me.organisation !== null && (
              <Suspense fallback={null}>
                <NotificationBell admin={me.admin} />
              </Suspense>
            )}
            <LanguageSwitch />
            <Button size="xs" variant="default" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              {t("signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t("nav.label")}>
        {navOf(me).map((item) => (
          <NavLink key={item.to} component={RouterNavLink} to={item.to} end={item.to === "/"} label={t(item.label)} variant="filled" />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Title order={1} className="visually-hidden">
          {name}
        </Title>
        <PausedBanner />
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
