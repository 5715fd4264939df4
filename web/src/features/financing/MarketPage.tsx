import { Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatDate } from "../../lib/dates";
import { formatAmount, parseAmount } from "../../lib/money";
import { useChainStatus } from "../chain/api";
import { useCurrencies } from "../currencies/api";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useSigning } from "../invoices/api";
import { useSession } from "../../app/auth";
import { Countdown } from "../receivables/OffersPage";
import { useOpenRequests, useProgrammes, useSubmitQuote, type FinancingRequest } from "./api";
import { advanceOf, formatPercent, parsePercent, rateOf } from "./rates";

function RiskView({ request }: { request: FinancingRequest }) {
  const { t } = useTranslation("financing");
  if (request.risk === null) return null;
  return (
    <Table>
      <Table.Caption>{t("risk.caption", { total: request.risk.total })}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("risk.factor")}</Table.Th>
          <Table.Th>{t("risk.value")}</Table.Th>
          <Table.Th>{t("risk.points")}</Table.Th>
          <Table.Th>{t("risk.weight")}</Table.Th>
          <Table.Th>{t("risk.contribution")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {request.risk.factors.map((f) => (
          <Table.Tr key={f.name}>
            <Table.Td title={f.basis}>{f.name}</Table.Td>
            <Table.Td>{f.value}</Table.Td>
            <Table.Td>{f.points}</Table.Td>
            <Table.Td>{f.weight} %</Table.Td>
            <Table.Td>{f.contribution}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The PBOC registration of the tree's earlier financings (counts only: the registry is public, the terms are not). */
function TreeRegistrations({ request }: { request: FinancingRequest }) {
  const { t } = useTranslation("financing");
  const r = request.risk?.registrations;
  if (r === undefined) return null;
  if (r.financings === 0) return <Text size="sm">{t("registrations.none")}</Text>;
  return (
    <Text size="sm" c={r.overdue > 0 ? "red.9" : undefined}>
      {t("registrations.counts", r)}
    </Text>
  );
}

/** The quote form: the advance and the effective annual rate convert into each other as either is typed. */
function QuoteForm({ request, decimals }: { request: FinancingRequest; decimals: number }) {
  const { t, i18n } = useTranslation("financing");
  const chain = useChainStatus();
  const submit = useSubmitQuote();
  const organisation = useSession().data?.organisation ?? undefined;
  // A financier that keeps its own key signs its quotes in its wallet.
  const signing = useSigning(organisation !== undefined);
  const wallet = signing.data === "WALLET" && organisation !== undefined ? { organisation } : undefined;
  const modes = request.mode === "ANY" ? (["PURCHASE", "PLEDGE"] as const) : ([request.mode] as const);
  const [mode, setMode] = useState<"PURCHASE" | "PLEDGE">(modes[0]);
  const [advance, setAdvance] = useState("");
  const [rate, setRate] = useState("");
  const [hours, setHours] = useState("12");
  const [notes, setNotes] = useState("");
  const [programmeId, setProgrammeId] = useState("");
  // Programmes the financier takes part in, in this receivable's currency; the API checks the rest.
  const programmes = (useProgrammes().data ?? []).filter((p) => p.currency === request.receivable?.currency);
  const [errors, setErrors] = useState<{ advance?: string; rate?: string; hours?: string }>({});
  const cost = BigInt(request.amount);
  const now = BigInt(chain.data?.headTimestamp ?? Math.floor(Date.now() / 1000));
  const seconds = BigInt(request.receivable?.maturity ?? 0) - now;
  const idBase = `quote-${request.id}`;

  const onAdvance = (text: string) => {
    setAdvance(text);
    const value = parseAmount(text, decimals);
    const ppm = value === undefined ? undefined : rateOf(cost, value, seconds);
    setRate(ppm === undefined ? "" : formatPercent(ppm));
  };
  const onRate = (text: string) => {
    setRate(text);
    const ppm = parsePercent(text);
    const value = ppm === undefined ? undefined : advanceOf(cost, ppm, seconds);
    setAdvance(value === undefined ? "" : formatAmount(value, decimals, "en").replace(/,/g, ""));
  };
  const send = () => {
    const value = parseAmount(advance, decimals);
    const next: typeof errors = {};
    if (value === undefined || value <= 0n) next.advance = t("quote.advanceMalformed", { decimals });
    else if (value > cost) next.advance = t("quote.advanceTooLarge");
    if (!/^\d+$/.test(hours) || Number(hours) < 1 || Number(hours) > 720) next.hours = t("quote.hoursRange");
    setErrors(next);
    if (Object.keys(next).length > 0 || value === undefined) return;
    const body = { advance: value.toString(), mode, expiry: Number(now) + Number(hours) * 3600, ...(notes.trim() === "" ? {} : { notes: notes.trim() }), ...(programmeId === "" ? {} : { programmeId }) };
    submit.mutate({ requestId: request.id, body, ...(wallet === undefined ? {} : { wallet }) });
  };
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      aria-labelledby={`${idBase}-title`}
    >
      <Title order={4} size="h5" id={`${idBase}-title`} mt="sm">
        {t("quote.title")}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 4 }} mt="xs">
        <NativeSelect label={t("quote.mode")} value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)} data={modes.map((m) => ({ value: m, label: t(`mode.${m}`) }))} />
        <TextInput label={t("quote.advance")} inputMode="decimal" value={advance} onChange={(e) => onAdvance(e.currentTarget.value)} error={errors.advance} />
        <TextInput label={t("quote.rate")} inputMode="decimal" value={rate} onChange={(e) => onRate(e.currentTarget.value)} error={errors.rate} />
        <TextInput label={t("quote.hours")} inputMode="numeric" value={hours} onChange={(e) => setHours(e.currentTarget.value)} error={errors.hours} />
      </SimpleGrid>
      {programmes.length > 0 && (
        <NativeSelect
          label={t("quote.programme")}
          description={t("quote.programmeHint")}
          value={programmeId}
          onChange={(e) => setProgrammeId(e.currentTarget.value)}
          data={[{ value: "", label: t("quote.noProgramme") }, ...programmes.map((p) => ({ value: p.id, label: t("quote.programmeOption", { id: p.id }) }))]}
          mt="xs"
        />
      )}
      <Textarea label={t("quote.notes")} description={t("quote.notesHint")} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} maxLength={2000} autosize minRows={1} mt="xs" />
      <Text size="xs" mt={4}>
        {t("quote.explain", { face: formatAmount(cost, decimals, i18n.language), days: (seconds / 86_400n).toString() })}
      </Text>
      {submit.error !== null && <ErrorNotice error={submit.error} />}
      {submit.data !== undefined && (
        <Text size="sm" role="status" mt="xs">
          {t("quote.sent", { rate: submit.data.effectiveAnnualRate?.percent ?? "—" })}
        </Text>
      )}
      <Button type="submit" mt="sm" loading={submit.isPending} disabled={submit.isPending || signing.data === undefined}>
        {wallet === undefined ? t("quote.submit") : t("quote.submitWallet")}
      </Button>
    </form>
  );
}

/** Open financing requests with their transparent risk view, and a quote form for each. */
export function MarketPage() {
  const { t, i18n } = useTranslation("financing");
  const requests = useOpenRequests();
  const currencies = useCurrencies();
  const label = useOrganisationLabel();
  return (
    <Stack component="section" aria-labelledby="market-title">
      <Title order={2} id="market-title">
        {t("market.title")}
      </Title>
      {requests.error !== null && <ErrorNotice error={requests.error} />}
      {requests.data !== undefined && requests.data.length === 0 && <Text>{t("market.empty")}</Text>}
      {(requests.data ?? []).map((request) => {
        const decimals = currencies.data?.get(request.receivable?.currency ?? "")?.decimals;
        return (
          <Paper key={request.id} withBorder p="md" component="article" aria-labelledby={`market-${request.id}`}>
            <Group justify="space-between">
              <Title order={3} size="h4" id={`market-${request.id}`}>
                {t("market.requestTitle", { id: request.receivableId, holder: label(request.holder) })}
              </Title>
              <Text size="sm">
                {t("market.closes")} <Countdown deadline={request.deadline} />
              </Text>
            </Group>
            <Text size="sm" mb="xs">
              <Amount value={request.amount} currency={request.receivable?.currency ?? ""} /> · {t(`mode.${request.mode}`)} · {t("market.obligor", { name: label(request.issuer) })} ·{" "}
              {request.receivable === null ? "" : t("market.maturity", { date: formatDate(request.receivable.maturity, i18n.language) })}
            </Text>
            <RiskView request={request} />
            <TreeRegistrations request={request} />
            {decimals !== undefined && <QuoteForm request={request} decimals={decimals} />}
          </Paper>
        );
      })}
    </Stack>
  );
}
