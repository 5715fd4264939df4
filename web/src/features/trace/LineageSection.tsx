/**
 * A receivable's lineage on its page: the graph from the confirmed invoice to the parts the caller may
 * see, their history, the financings the caller is a party to, and the proof bundle to download. Shows
 * exactly what `GET /v1/receivables/{id}/trace` answers for this caller (need to know is the API's).
 */
import { Alert, Button, Group, List, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { lazy, memo, Suspense, useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession, type Me } from "../../app/auth";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatDateTime } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useProofBundle, useTrace, type Trace, type TraceNode } from "./api";

const LineageGraph = lazy(() => import("./LineageGraph").then((m) => ({ default: m.LineageGraph })));

/** Whether the API would answer the part's own page to this caller (else it is "not found"): see server/domain/access.ts. */
export function canOpenPart(me: Me, trace: Trace): (part: TraceNode) => boolean {
  return (part) => {
    if (me.role === "OPERATOR" || me.role === "AUDITOR" || part.id === trace.receivableId) return true;
    const org = me.organisation;
    return org !== null && [part.holder, part.offeredTo, part.pledgee, part.issuer].includes(org);
  };
}

// Memoised: a large tree's history has thousands of rows, drawn again only when the trace or the names change.
const History = memo(function History({ trace, label }: { trace: Trace; label: (a: string) => string }) {
  const { t, i18n } = useTranslation("trace");
  const kind = (k: string) => (i18n.exists(`kind.${k}`, { ns: "trace" }) ? t(`kind.${k}`) : t("kind.other", { kind: k }));
  if (trace.events.length === 0) return <Text>{t("history.empty")}</Text>;
  const currency = trace.invoice.currency;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped>
        <Table.Caption>{t("history.caption")}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("history.kind")}</Table.Th>
            <Table.Th>{t("history.receivable")}</Table.Th>
            <Table.Th>{t("history.from")}</Table.Th>
            <Table.Th>{t("history.to")}</Table.Th>
            <Table.Th>{t("history.amount")}</Table.Th>
            <Table.Th>{t("history.block")}</Table.Th>
            <Table.Th>{t("history.when")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {trace.events.map((e) => (
            <Table.Tr key={`${e.blockNumber}-${e.logIndex}-${e.receivableId}-${e.kind}`}>
              <Table.Td>{kind(e.kind)}</Table.Td>
              <Table.Td>{e.receivableId}</Table.Td>
              <Table.Td>{e.from === null ? "—" : label(e.from)}</Table.Td>
              <Table.Td>{e.to === null ? "—" : label(e.to)}</Table.Td>
              <Table.Td>{e.amount === null ? "—" : <Amount value={e.amount} currency={currency} />}</Table.Td>
              <Table.Td title={e.txHash}>{e.blockNumber}</Table.Td>
              <Table.Td>{formatDateTime(e.timestamp, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});

const Financings = memo(function Financings({ trace, label }: { trace: Trace; label: (a: string) => string }) {
  const { t } = useTranslation("trace");
  if (trace.financings.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table>
        <Table.Caption>{t("financings.caption")}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("history.receivable")}</Table.Th>
            <Table.Th>{t("financings.financier")}</Table.Th>
            <Table.Th>{t("financings.mode")}</Table.Th>
            <Table.Th>{t("financings.advance")}</Table.Th>
            <Table.Th>{t("financings.repayment")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {trace.financings.map((f) => (
            <Table.Tr key={f.quoteHash}>
              <Table.Td>{f.financedId}</Table.Td>
              <Table.Td>{label(f.financier)}</Table.Td>
              <Table.Td>{t(`financings.${f.mode}`)}</Table.Td>
              <Table.Td>
                <Amount value={f.advance} currency={f.currency} />
              </Table.Td>
              <Table.Td>
                <Amount value={f.repayment} currency={f.currency} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});

/**
 * Saves the proof bundle as a file (the API's JSON, unchanged), or verifies it here against the chain with
 * the shared verifier (loaded on first use).
 */
function ProofDownload({ id }: { id: string }) {
  const { t } = useTranslation("trace");
  const proof = useProofBundle();
  const [saved, setSaved] = useState<string | undefined>();
  const verification = useMutation({
    mutationFn: async () => {
      const [bundle, { verifyInBrowser }] = await Promise.all([proof.mutateAsync(id), import("./verifyProof")]);
      return { bundle, result: await verifyInBrowser(bundle) };
    },
  });
  const download = useCallback(() => {
    proof.mutate(id, {
      onSuccess: (bundle) => {
        const file = `receivable-${bundle.receivableId}.proof.json`;
        const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: "application/json" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = file;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1_000);
        setSaved(file);
      },
    });
  }, [id, proof]);
  const verified = verification.data;
  return (
    <Stack gap={4}>
      <Group>
        <Button variant="default" onClick={download} loading={proof.isPending && !verification.isPending}>
          {t("proof.download")}
        </Button>
        <Button variant="default" onClick={() => verification.mutate()} loading={verification.isPending}>
          {t("proof.verify")}
        </Button>
      </Group>
      {proof.error !== null && !verification.isError && <ErrorNotice error={proof.error} />}
      {verification.error !== null && <ErrorNotice error={verification.error} />}
      {saved !== undefined && <Text size="sm">{t("proof.downloaded", { file: saved })}</Text>}
      {verified !== undefined && (
        <Alert
          role="status"
          // The colour marks the border; the title says it in words, in the body's colour (AA contrast).
          variant="outline"
          color={verified.result.ok ? "green" : "red"}
          styles={{ title: { color: "var(--mantine-color-text)" } }}
          title={verified.result.ok ? t("proof.valid", { id: verified.bundle.receivableId, invoice: verified.bundle.invoice.invoiceHash }) : t("proof.invalid")}
        >
          <Text size="sm">{t("proof.checks", { count: verified.result.checked.length, failed: verified.result.failures.length })}</Text>
          <List size="xs" mt={4}>
            {verified.result.failures.map((line) => (
              <List.Item key={`fail-${line}`} c="red">
                {line}
              </List.Item>
            ))}
            {verified.result.checked.map((line) => (
              <List.Item key={`ok-${line}`}>{line}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

export function LineageSection({ id }: { id: string }) {
  const { t, i18n } = useTranslation("trace");
  const session = useSession();
  const trace = useTrace(id);
  const label = useOrganisationLabel();
  const me = session.data;
  const data = trace.data;
  // Stable while the trace and the session are: the graph lays out again only when they change.
  const canOpen = useMemo(() => (me == null || data === undefined ? () => false : canOpenPart(me, data)), [me, data]);
  if (trace.error !== null) return <ErrorNotice error={trace.error} />;
  if (data === undefined || me == null) return <Text>…</Text>;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lineage-title">
      <Stack>
        <Title order={2} id="lineage-title">
          {t("title")}
        </Title>
        <Text size="sm">{t(`scope.${data.scope}`)}</Text>
        <Text size="sm">
          {t("invoice.hash")}: <span style={{ wordBreak: "break-all" }}>{data.invoice.invoiceHash}</span> ·{" "}
          {t("invoice.confirmedIn", { block: data.invoice.confirmedBlock })} · {t("invoice.maturity", { date: formatDateTime(data.invoice.maturity, i18n.language) })}
        </Text>
        <Suspense fallback={<Text>…</Text>}>
          <LineageGraph trace={data} canOpen={canOpen} label={label} />
        </Suspense>
        <Title order={3}>{t("history.title")}</Title>
        <History trace={data} label={label} />
        {data.financings.length > 0 && <Title order={3}>{t("financings.title")}</Title>}
        <Financings trace={data} label={label} />
        <ProofDownload id={id} />
      </Stack>
    </Paper>
  );
}

