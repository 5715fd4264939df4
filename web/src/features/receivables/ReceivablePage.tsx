import { Anchor, Badge, Group, Paper, SimpleGrid, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useSession } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { NotFound } from "../../app/NotFound";
import { ApiError } from "../../lib/api/client";
import { formatDate, shortAddress } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useReceivable } from "./api";
import { STATUS_COLOR } from "./HoldingsPage";
import { LineageSection } from "../trace/LineageSection";
import { ReceivableActions } from "./ReceivableActions";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">
        {label}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </div>
  );
}

/** One receivable: its terms, holder, what its holder can do with it, and its lineage (graph, history, proof). */
export function ReceivablePage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation("receivables");
  const receivable = useReceivable(id);
  const session = useSession();
  if (receivable.error instanceof ApiError && (receivable.error.status === 404 || receivable.error.status === 400)) return <NotFound />;
  if (receivable.error !== null) return <ErrorNotice error={receivable.error} />;
  const r = receivable.data;
  if (r === undefined) return <Text>…</Text>;
  const yesNo = (v: boolean) => (v ? t("detail.yes") : t("detail.no"));
  return (
    <>
    <Paper withBorder p="md" component="section" aria-labelledby="receivable-title">
      <Group justify="space-between" mb="md">
        <Title order={2} id="receivable-title">
          {t("detail.title", { id: r.id })}
        </Title>
        <Badge variant="filled" color={STATUS_COLOR[r.status]} size="lg">
          {t(`status.${r.status}`)}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl">
        <Field label={t("detail.amount")}>
          <Amount value={r.amount} currency={r.currency} />
        </Field>
        <Field label={t("detail.initialAmount")}>
          <Amount value={r.initialAmount} currency={r.currency} />
        </Field>
        <Field label={t("detail.maturity")}>{formatDate(r.maturity, i18n.language)}</Field>
        <Field label={t("detail.holder")}>
          <span title={r.holder}>{shortAddress(r.holder)}</span>
        </Field>
        <Field label={t("detail.issuer")}>
          <span title={r.issuer}>{shortAddress(r.issuer)}</span>
        </Field>
        <Field label={t("detail.tier")}>{r.tier}</Field>
        <Field label={t("detail.root")}>
          {r.rootId === r.id ? r.rootId : <Anchor component={Link} to={`/receivables/${r.rootId}`}>{r.rootId}</Anchor>}
        </Field>
        <Field label={t("detail.parent")}>
          {r.parentId === null ? "—" : <Anchor component={Link} to={`/receivables/${r.parentId}`}>{r.parentId}</Anchor>}
        </Field>
        <Field label={t("detail.depth")}>{r.depth}</Field>
        <Field label={t("detail.financed")}>{yesNo(r.financed)}</Field>
        {r.offeredTo !== null && (
          <Field label={t("detail.offeredTo")}>
            <span title={r.offeredTo}>{shortAddress(r.offeredTo)}</span>
          </Field>
        )}
      </SimpleGrid>
    </Paper>
    {session.data && <ReceivableActions receivable={r} me={session.data} />}
    <LineageSection id={r.id} />
    </>
  );
}
