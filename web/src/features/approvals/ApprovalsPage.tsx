/**
 * Approvals (issue 12 item 2): what the organisation's makers prepared, waiting for a checker, and what
 * became of the latest ones. A checker approves (which sends the stored request, shown as it will be
 * sent) or rejects with a reason — never what it prepared itself; a maker withdraws its own. The API
 * decides who may do what; the page only leaves out the buttons a user cannot use.
 */
import { Alert, Badge, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatDateTime } from "../../lib/dates";
import { formatAmount } from "../../lib/money";
import { useCurrencies } from "../currencies/api";
import { useApprove, useCancelPrepared, usePreparedActions, useReject, type PreparedAction } from "./api";

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function Amount({ action }: { action: PreparedAction }) {
  const { i18n } = useTranslation();
  const currency = useCurrencies().data?.get(action.currency);
  if (currency === undefined) return <>{action.amount}</>;
  return <>{`${formatAmount(action.amount, currency.decimals, i18n.language)} ${currency.symbol}`}</>;
}

/** The stored request, exactly as approving sends it. */
function RequestText({ action }: { action: PreparedAction }) {
  return (
    <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", maxWidth: 360 }}>
      {JSON.stringify(action.request)}
    </Code>
  );
}

function Decide({ action }: { action: PreparedAction }) {
  const { t } = useTranslation("approvals");
  const me = useSession().data;
  const approve = useApprove();
  const reject = useReject();
  const cancel = useCancelPrepared();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>();
  const duties = me?.user?.duties ?? [];
  const own = me?.user?.id === action.preparedBy.id;
  const label = t(`action.${action.action}`);
  const name = action.preparedBy.name;
  return (
    <Stack gap="xs">
      {own && (
        <Text size="xs" c="dimmed">
          {t("own")}
        </Text>
      )}
      {!own && duties.includes("checker") && !rejecting && (
        <Group gap="xs">
          <Button size="xs" aria-label={t("approve", { action: label, name })} loading={approve.isPending} disabled={approve.isPending} onClick={() => approve.mutate({ id: action.id })}>
            {t("approveShort")}
          </Button>
          <Button size="xs" variant="default" aria-label={t("rejectOne", { action: label, name })} onClick={() => setRejecting(true)}>
            {t("reject")}
          </Button>
        </Group>
      )}
      {rejecting && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim() === "") {
              setReasonError(t("reasonRequired"));
              return;
            }
            setReasonError(undefined);
            reject.mutate({ id: action.id, reason: reason.trim() });
          }}
        >
          <Group align="flex-end" gap="xs">
            <TextInput size="xs" label={t("reason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} />
            <Button size="xs" color="red.9" type="submit" loading={reject.isPending} disabled={reject.isPending}>
              {t("confirmReject")}
            </Button>
          </Group>
        </form>
      )}
      {own && duties.includes("maker") && (
        <Button size="xs" variant="default" aria-label={t("cancelOne", { action: label })} loading={cancel.isPending} disabled={cancel.isPending} onClick={() => cancel.mutate({ id: action.id })}>
          {t("cancel")}
        </Button>
      )}
      {approve.error !== null && <ErrorNotice error={approve.error} />}
      {reject.error !== null && <ErrorNotice error={reject.error} />}
      {cancel.error !== null && <ErrorNotice error={cancel.error} />}
    </Stack>
  );
}

function Pending() {
  const { t, i18n } = useTranslation("approvals");
  const pending = usePreparedActions("PENDING");
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pending-title">
      <Title order={3} size="h4" id="pending-title">
        {t("pending.title")}
      </Title>
      {pending.error !== null && <ErrorNotice error={pending.error} />}
      {pending.data?.length === 0 && (
        <Text size="sm" mt="xs">
          {t("pending.none")}
        </Text>
      )}
      {(pending.data?.length ?? 0) > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="sm">
            <Table.Caption>{t("pending.caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("column.action")}</Table.Th>
                <Table.Th>{t("column.amount")}</Table.Th>
                <Table.Th>{t("column.preparedBy")}</Table.Th>
                <Table.Th>{t("column.expires")}</Table.Th>
                <Table.Th>{t("column.request")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pending.data?.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{t(`action.${a.action}`)}</Table.Td>
                  <Table.Td>
                    <Amount action={a} />
                  </Table.Td>
                  <Table.Td>{a.preparedBy.name}</Table.Td>
                  <Table.Td>{formatDateTime(seconds(a.expiresAt), i18n.language)}</Table.Td>
                  <Table.Td>
                    <RequestText action={a} />
                  </Table.Td>
                  <Table.Td>
                    <Decide action={a} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

const STATUS_COLOUR: Record<PreparedAction["status"], string> = {
  PENDING: "blue.9",
  APPROVED: "blue.9",
  EXECUTED: "teal.9",
  FAILED: "red.9",
  REJECTED: "red.9",
  CANCELLED: "gray.8",
  EXPIRED: "gray.8",
};

function Recent() {
  const { t } = useTranslation("approvals");
  const all = usePreparedActions(undefined);
  const decided = all.data?.filter((a) => a.status !== "PENDING") ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="recent-title">
      <Title order={3} size="h4" id="recent-title">
        {t("recent.title")}
      </Title>
      {all.error !== null && <ErrorNotice error={all.error} />}
      <Table.ScrollContainer minWidth={800}>
        <Table>
          <Table.Caption>{t("recent.caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("column.action")}</Table.Th>
              <Table.Th>{t("column.amount")}</Table.Th>
              <Table.Th>{t("column.preparedBy")}</Table.Th>
              <Table.Th>{t("column.status")}</Table.Th>
              <Table.Th>{t("column.decidedBy")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {decided.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{t(`action.${a.action}`)}</Table.Td>
                <Table.Td>
                  <Amount action={a} />
                </Table.Td>
                <Table.Td>{a.preparedBy.name}</Table.Td>
                <Table.Td>
                  <Badge variant="filled" color={STATUS_COLOUR[a.status]}>
                    {t(`status.${a.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Text size="sm">{a.approvedBy?.name ?? a.rejectedBy?.name ?? ""}</Text>
                    {a.reason !== null && (
                      <Text size="xs" c="dimmed">
                        {t("reasonShown", { reason: a.reason })}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

export function ApprovalsPage() {
  const { t } = useTranslation("approvals");
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      <Alert color="blue" variant="light">
        {t("help")}
      </Alert>
      <Pending />
      <Recent />
    </Stack>
  );
}
