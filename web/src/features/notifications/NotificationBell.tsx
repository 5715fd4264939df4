/**
 * The header's bell: the organisation's latest notifications, kept current by the event stream, with the
 * count of those that arrived since the list was last opened.
 */
import {
  ActionIcon,
  Anchor,
  Badge,
  Group,
  Indicator,
  Popover,
  Stack,
  Text,
} from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDateTime } from "../../lib/dates";
import {
  useNotifications,
  useNotificationStream,
  type Notification,
} from "./api";

/** The words of one notification, from its type and the ids its data names. */
function useDescribe() {
  const { t, i18n } = useTranslation("notifications");
  return (n: Notification) => {
    const d = n.data as Record<string, unknown>;
    const subject =
      typeof d.receivableId === "string"
        ? d.receivableId
        : typeof d.maturity === "number"
        ? formatDateTime(d.maturity, i18n.language)
        : "";
    return t(`type.${n.type}`, {
      receivableId: d.receivableId,
      invoiceHash:
        typeof d.invoiceHash === "string"
          ? `${d.invoiceHash.slice(0, 10)}…`
          : "",
      rootId: d.rootId,
      subject,
    });
  };
}

function linkOf(n: Notification): string | undefined {
  const d = n.data as Record<string, unknown>;
  if (n.type === "offer.toSign") return "/offers";
  if (n.type === "invoice.toConfirm") return "/invoices";
  if (typeof d.receivableId === "string")
    return `/receivables/${d.receivableId}`;
  if (typeof d.rootId === "string") return `/receivables/${d.rootId}`;
  return undefined;
}

export function NotificationBell({ admin }: { admin: boolean }) {
  const { t, i18n } = useTranslation("notifications");
  const latest = useNotifications(true);
  const stream = useNotificationStream(true);
  const describe = useDescribe();
  const items = latest.data ?? [];
  return (
    <Indicator
      label={stream.unread}
      size={18}
      disabled={stream.unread === 0}
      color="red.9"
    >
      <Popover
        width={380}
        position="bottom-end"
        shadow="md"
        onClose={stream.markRead}
      >
        <Popover.Target>
          <ActionIcon
            variant="default"
            size="lg"
            aria-label={
              stream.unread === 0
                ? t("bell")
                : t("bellUnread", { count: stream.unread })
            }
          >
            <svg
              width="18"
              height="18"
              viewBox="0 0 24 24"
              aria-hidden="true"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
              <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
            </svg>
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="xs" component="section" aria-label={t("latest")}>
            <Group justify="space-between">
              <Text fw={600}>{t("latest")}</Text>
              <Badge
                size="sm"
                variant="outline"
                color={stream.connected ? "teal.9" : "gray.8"}
              >
                {stream.connected ? t("live") : t("offline")}
              </Badge>
            </Group>
            {items.length === 0 ? (
              <Text size="sm">{t("none")}</Text>
            ) : (
              <Stack
                gap={6}
                component="ul"
                style={{ listStyle: "none", padding: 0, margin: 0 }}
              >
                {items.map((n) => {
                  const to = linkOf(n);
                  return (
                    <li key={n.id}>
                      <Text
                        size="sm"
                        td={n.retracted ? "line-through" : undefined}
                      >
                        {to === undefined ? (
                          describe(n)
                        ) : (
                          <Anchor component={Link} to={to} size="sm">
                            {describe(n)}
                          </Anchor>
                        )}
                        {n.retracted && ` (${t("retracted")})`}
                      </Text>
                      <Text size="xs">
                        {formatDateTime(
                          Math.floor(Date.parse(n.createdAt) / 1000),
                          i18n.language
                        )}
                      </Text>
                    </li>
                  );
                })}
              </Stack>
            )}
            {admin && (
              <Anchor component={Link} to="/webhooks" size="sm">
                {t("manage")}
              </Anchor>
            )}
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
