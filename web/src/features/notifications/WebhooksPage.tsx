/**
 * The organisation's webhooks (its admin's screen): add one (the secret is shown once), pause, resume a
 * failing one, delete, and each webhook's delivery log with redelivery. What a receiver must check is in
 * docs/api.md (*Notifications*).
 */
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { ApiError } from "../../lib/api/client";
import { formatDateTime } from "../../lib/dates";
import {
  EVENT_TYPES,
  useCreateWebhook,
  useDeleteWebhook,
  useDeliveries,
  useRedeliver,
  useUpdateWebhook,
  useWebhooks,
  type NotificationType,
  type Webhook,
} from "./api";

const STATUS_COLOR: Record<Webhook["status"], string> = {
  ACTIVE: "teal.9",
  FAILING: "red.9",
  DISABLED: "gray.8",
};
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function Deliveries({ webhook }: { webhook: Webhook }) {
  const { t, i18n } = useTranslation("notifications");
  const deliveries = useDeliveries(webhook.id);
  const redeliver = useRedeliver();
  const items = deliveries.data ?? [];
  return (
    <Stack
      gap="xs"
      component="section"
      aria-label={t("webhooks.log", { url: webhook.url })}
    >
      {deliveries.error !== null && <ErrorNotice error={deliveries.error} />}
      {redeliver.error !== null && <ErrorNotice error={redeliver.error} />}
      {items.length === 0 ? (
        <Text size="sm">{t("webhooks.deliveries.empty")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table>
            <Table.Caption>{t("webhooks.deliveries.caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("webhooks.deliveries.column.event")}</Table.Th>
                <Table.Th>{t("webhooks.deliveries.column.state")}</Table.Th>
                <Table.Th>{t("webhooks.deliveries.column.attempts")}</Table.Th>
                <Table.Th>{t("webhooks.deliveries.column.last")}</Table.Th>
                <Table.Th>{t("webhooks.deliveries.column.at")}</Table.Th>
                <Table.Th>{t("webhooks.deliveries.column.action")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Code>{d.type}</Code>
                  </Table.Td>
                  <Table.Td>
                    {t(`webhooks.deliveries.state.${d.state}`)}
                  </Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td>
                    {d.lastStatus !== null
                      ? `HTTP ${d.lastStatus}`
                      : d.lastError ??
                        (d.attempts > 0
                          ? t("webhooks.deliveries.noAnswer")
                          : "—")}
                  </Table.Td>
                  <Table.Td>
                    {formatDateTime(seconds(d.createdAt), i18n.language)}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      loading={redeliver.isPending}
                      onClick={() =>
                        redeliver.mutate({ id: webhook.id, deliveryId: d.id })
                      }
                    >
                      {t("webhooks.deliveries.redeliver")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function CreateWebhook() {
  const { t } = useTranslation("notifications");
  const create = useCreateWebhook();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState<NotificationType[]>([
    "offer.toSign",
    "invoice.toConfirm",
  ]);
  const [errors, setErrors] = useState<{ url?: string; eventTypes?: string }>(
    {}
  );
  const serverFields =
    create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const submit = () => {
    const next = {
      ...(url.trim() === "" ? { url: t("webhooks.urlRequired") } : {}),
      ...(types.length === 0
        ? { eventTypes: t("webhooks.eventsRequired") }
        : {}),
    };
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    create.mutate(
      {
        url: url.trim(),
        eventTypes: types,
        ...(description.trim() === ""
          ? {}
          : { description: description.trim() }),
      },
      { onSuccess: () => setUrl("") }
    );
  };
  return (
    <Paper
      withBorder
      p="md"
      component="section"
      aria-labelledby="create-webhook"
    >
      <Title order={3} size="h4" id="create-webhook" mb="sm">
        {t("webhooks.create")}
      </Title>
      <Stack gap="sm">
        <TextInput
          label={t("webhooks.url")}
          description={t("webhooks.urlHelp")}
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={errors.url ?? serverFields.url}
        />
        <Checkbox.Group
          label={t("webhooks.events")}
          value={types}
          onChange={(v) => setTypes(v)}
          error={errors.eventTypes ?? serverFields.eventTypes}
        >
          <Group gap="md" mt={4}>
            {EVENT_TYPES.map((type) => (
              <Checkbox key={type} value={type} label={<Code>{type}</Code>} />
            ))}
          </Group>
        </Checkbox.Group>
        <TextInput
          label={t("webhooks.description")}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <Group>
          <Button onClick={submit} loading={create.isPending}>
            {t("webhooks.submit")}
          </Button>
        </Group>
        {create.error !== null && Object.keys(serverFields).length === 0 && (
          <ErrorNotice error={create.error} />
        )}
        {create.data !== undefined && (
          <Alert color="blue" title={t("webhooks.secretTitle")} role="status">
            <Text size="sm">{t("webhooks.secretBody")}</Text>
            <Code block data-testid="webhook-secret">
              {create.data.secret}
            </Code>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

export function WebhooksPage() {
  const { t } = useTranslation("notifications");
  const session = useSession();
  const admin = session.data?.admin === true;
  const webhooks = useWebhooks();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const items = webhooks.data ?? [];
  return (
    <Stack component="section" aria-labelledby="webhooks-title">
      <Title order={2} id="webhooks-title">
        {t("webhooks.title")}
      </Title>
      <Text>{t("webhooks.intro")}</Text>
      {!admin ? (
        <Alert color="gray">{t("webhooks.adminOnly")}</Alert>
      ) : (
        <>
          {webhooks.error !== null && <ErrorNotice error={webhooks.error} />}
          {update.error !== null && <ErrorNotice error={update.error} />}
          {remove.error !== null && <ErrorNotice error={remove.error} />}
          {webhooks.data !== undefined && items.length === 0 && (
            <Text>{t("webhooks.empty")}</Text>
          )}
          {items.map((w) => (
            <Paper
              withBorder
              p="md"
              key={w.id}
              component="article"
              aria-label={w.url}
            >
              <Stack gap="xs">
                <Group justify="space-between" wrap="nowrap">
                  <Stack gap={2}>
                    <Code>{w.url}</Code>
                    <Text size="sm">{w.eventTypes.join(", ")}</Text>
                  </Stack>
                  <Badge variant="filled" color={STATUS_COLOR[w.status]}>
                    {t(`webhooks.status.${w.status}`)}
                  </Badge>
                </Group>
                <Group gap="xs">
                  {w.status === "ACTIVE" ? (
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() =>
                        update.mutate({ id: w.id, status: "DISABLED" })
                      }
                    >
                      {t("webhooks.pause", { url: w.url })}
                    </Button>
                  ) : (
                    <Button
                      size="xs"
                      onClick={() =>
                        update.mutate({ id: w.id, status: "ACTIVE" })
                      }
                    >
                      {t("webhooks.resume", { url: w.url })}
                    </Button>
                  )}
                  <Button
                    size="xs"
                    color="red.9"
                    variant="outline"
                    onClick={() => remove.mutate(w.id)}
                  >
                    {t("webhooks.remove", { url: w.url })}
                  </Button>
                </Group>
                <Deliveries webhook={w} />
              </Stack>
            </Paper>
          ))}
          <CreateWebhook />
        </>
      )}
    </Stack>
  );
}
