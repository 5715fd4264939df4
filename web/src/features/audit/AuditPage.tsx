/**
 * The auditor's desk: find a receivable by its id, an invoice by its hash (and so its tree) or an
 * organisation by its address; then the lineage graph and proof bundle on the receivable's page. And the
 * audit export of a period, saved as the API's CSV or JSON.
 */
import { Anchor, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ErrorNotice } from "../../app/ErrorNotice";
import { useChainStatus } from "../chain/api";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useAuditExport, useSearch, type ExportDataset, type ExportFormat, type SearchResult } from "./api";

const TERM = /^(\d{1,78}|0x[0-9a-fA-F]{64}|0x[0-9a-fA-F]{40})$/;

function SearchResultView({ result }: { result: SearchResult }) {
  const { t } = useTranslation("audit");
  const label = useOrganisationLabel();
  if (result.kind === "invoice") {
    return (
      <Text>
        {t(`search.invoice.${result.status}`)}{" "}
        {result.rootId !== null && (
          <Anchor component={Link} to={`/receivables/${result.rootId}`}>
            {t("search.openTree", { id: result.rootId })}
          </Anchor>
        )}
      </Text>
    );
  }
  if (result.kind === "organisation") {
    return (
      <Stack gap="xs">
        <Text>
          {t("search.organisation", { name: label(result.address), role: t(`role.${result.role}`), status: result.active ? t("active") : t("suspended") })}
        </Text>
        {result.role === "CORE_ENTERPRISE" && (
          <Table>
            <Table.Caption>{t("search.issuedCaption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("search.receivable")}</Table.Th>
                <Table.Th>{t("search.amount")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.issued.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/receivables/${r.id}`}>
                      {r.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Amount value={r.amount} currency={r.currency} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    );
  }
  return null;
}

function Search() {
  const { t } = useTranslation("audit");
  const navigate = useNavigate();
  const search = useSearch();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="search-title">
      <Title order={3} size="h4" id="search-title">
        {t("search.title")}
      </Title>
      <form
        noValidate
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = text.trim();
          if (!TERM.test(q)) return setError(t("search.invalid"));
          setError(undefined);
          search.mutate(q, {
            onSuccess: (result) => {
              if (result.kind === "receivable") void navigate(`/receivables/${result.id}`);
            },
          });
        }}
      >
        <Group align="flex-end" mt="xs">
          <TextInput style={{ flex: 1 }} label={t("search.label")} description={t("search.help")} value={text} onChange={(e) => setText(e.currentTarget.value)} error={error} />
          <Button type="submit" loading={search.isPending}>
            {t("search.submit")}
          </Button>
        </Group>
      </form>
      {search.error !== null && <ErrorNotice error={search.error} />}
      {search.data !== undefined && (
        <Stack mt="sm">
          <SearchResultView result={search.data} />
        </Stack>
      )}
    </Paper>
  );
}

/** yyyy-mm-dd of a date in the user's time zone (the value of an <input type="date">). */
function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function Export() {
  const { t } = useTranslation("audit");
  const exporter = useAuditExport();
  const chain = useChainStatus();
  // By default the last 30 days by the chain's clock (the rows are dated by their blocks), through tomorrow.
  const now = new Date((chain.data?.headTimestamp ?? Math.floor(Date.now() / 1000)) * 1000);
  const [dataset, setDataset] = useState<ExportDataset>("receivables");
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [fromText, setFrom] = useState<string | undefined>();
  const [toText, setTo] = useState<string | undefined>();
  const from = fromText ?? dayOf(new Date(now.getTime() - 30 * 86_400_000));
  const to = toText ?? dayOf(new Date(now.getTime() + 86_400_000));
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="export-title">
      <Title order={3} size="h4" id="export-title">
        {t("export.title")}
      </Title>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          // The period is from the start of `from` to the start of `to` in the user's time zone.
          const start = new Date(`${from}T00:00:00`);
          const end = new Date(`${to}T00:00:00`);
          if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end) return setError(t("export.period"));
          setError(undefined);
          exporter.mutate(
            { dataset, format, from: start.toISOString(), to: end.toISOString() },
            {
              onSuccess: (blob) => {
                const file = `ledgerline-${dataset}-${from}-${to}.${format}`;
                const url = URL.createObjectURL(blob);
                const a = document.createElement("a");
                a.href = url;
                a.download = file;
                a.click();
                setTimeout(() => URL.revokeObjectURL(url), 1_000);
                setSaved(file);
              },
            },
          );
        }}
      >
        <Group align="flex-end" mt="xs">
          <NativeSelect
            label={t("export.dataset")}
            value={dataset}
            onChange={(e) => setDataset(e.currentTarget.value as ExportDataset)}
            data={(["receivables", "financings", "repayments", "actions"] as const).map((d) => ({ value: d, label: t(`export.${d}`) }))}
          />
          <NativeSelect label={t("export.format")} value={format} onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)} data={["csv", "json"]} />
          <TextInput type="date" label={t("export.from")} value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={error} />
          <TextInput type="date" label={t("export.to")} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          <Button type="submit" loading={exporter.isPending}>
            {t("export.submit")}
          </Button>
        </Group>
      </form>
      {exporter.error !== null && <ErrorNotice error={exporter.error} />}
      {saved !== undefined && <Text size="sm">{t("export.saved", { file: saved })}</Text>}
    </Paper>
  );
}

export function AuditPage() {
  const { t } = useTranslation("audit");
  return (
    <Stack component="section" aria-labelledby="audit-title">
      <Title order={2} id="audit-title">
        {t("title")}
      </Title>
      <Search />
      <Export />
    </Stack>
  );
}
