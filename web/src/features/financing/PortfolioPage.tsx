import { BarChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Anchor, Badge, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { chartNumber } from "../../lib/chartNumber";
import { formatDate } from "../../lib/dates";
import { formatAmount, parseAmount } from "../../lib/money";
import { Amount } from "../currencies/Amount";
import { useCurrencies, useFaceCurrency } from "../currencies/api";
import { useOrganisationLabel, useOrganisations } from "../organisations/api";
import { useCancelQuote, useExposureLimits, useMyQuotes, usePortfolio, useReviseQuote, useSetExposureLimit, type Quote } from "./api";

/** Outstanding financed face against the financier's own limit, per obligor; and setting a limit. */
function ExposureSection() {
  const { t, i18n } = useTranslation("financing");
  const label = useOrganisationLabel();
  const limits = useExposureLimits();
  const organisations = useOrganisations();
  const currency = useFaceCurrency();
  const setLimit = useSetExposureLimit();
  const obligors = (organisations.data ?? []).filter((o) => o.role === "CORE_ENTERPRISE" && o.active);
  const [obligor, setObligor] = useState("");
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | undefined>();
  const chosen = obligor === "" ? obligors[0]?.address : obligor;
  const items = limits.data ?? [];
  const chart =
    currency === undefined
      ? []
      : items.map((l) => ({ obligor: label(l.obligor), outstanding: chartNumber(l.outstanding, currency.decimals), available: chartNumber(l.available, currency.decimals) }));
  const submit = () => {
    if (currency === undefined || chosen === undefined) return;
    const limit = parseAmount(amount, currency.decimals);
    if (limit === undefined) {
      setError(t("portfolio.limitMalformed", { decimals: currency.decimals }));
      return;
    }
    setError(undefined);
    setLimit.mutate({ obligor: chosen, limit: limit.toString() });
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="exposure-title">
      <Title order={3} size="h4" id="exposure-title">
        {t("portfolio.exposureTitle")}
      </Title>
      <Text size="sm" mb="xs">
        {t("portfolio.exposureHelp")}
      </Text>
      {limits.error !== null && <ErrorNotice error={limits.error} />}
      {limits.data !== undefined && items.length === 0 && <Text size="sm">{t("portfolio.noLimits")}</Text>}
      {chart.length > 0 && (
        <div role="img" aria-label={t("portfolio.chartLabel")}>
          <BarChart
            h={220}
            data={chart}
            dataKey="obligor"
            type="stacked"
            withLegend
            series={[
              { name: "outstanding", label: t("portfolio.outstanding"), color: "orange.7" },
              { name: "available", label: t("portfolio.available"), color: "teal.9" },
            ]}
          />
        </div>
      )}
      {items.length > 0 && currency !== undefined && (
        <Table mt="xs">
          <Table.Caption>{t("portfolio.limitsCaption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("portfolio.obligor")}</Table.Th>
              <Table.Th>{t("portfolio.limit")}</Table.Th>
              <Table.Th>{t("portfolio.outstanding")}</Table.Th>
              <Table.Th>{t("portfolio.available")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((l) => (
              <Table.Tr key={l.obligor}>
                <Table.Td>{label(l.obligor)}</Table.Td>
                {[l.limit, l.outstanding, l.available].map((v, i) => (
                  <Table.Td key={i} style={{ fontVariantNumeric: "tabular-nums" }}>
                    {formatAmount(v, currency.decimals, i18n.language)} {currency.symbol}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group mt="sm" align="flex-end">
        <NativeSelect
          label={t("portfolio.obligor")}
          value={chosen ?? ""}
          onChange={(e) => setObligor(e.currentTarget.value)}
          data={obligors.map((o) => ({ value: o.address, label: label(o.address) }))}
        />
        <TextInput
          label={t("portfolio.newLimit", { symbol: currency?.symbol ?? "" })}
          value={amount}
          onChange={(e) => setAmount(e.currentTarget.value)}
          error={error}
          inputMode="decimal"
        />
        <Button onClick={submit} loading={setLimit.isPending} disabled={setLimit.isPending || chosen === undefined}>
          {t("portfolio.setLimit")}
        </Button>
      </Group>
      <TxProgress pending={setLimit.isPending} result={setLimit.data} error={setLimit.error} />
    </Paper>
  );
}

/** One of the financier's quotes: cancel it, or revise its advance (the old one is cancelled on chain). */
function MyQuoteRow({ quote }: { quote: Quote }) {
  const { t, i18n } = useTranslation("financing");
  const currencies = useCurrencies();
  const cancel = useCancelQuote();
  const revise = useReviseQuote();
  const [advance, setAdvance] = useState("");
  const [error, setError] = useState<string | undefined>();
  const decimals = currencies.data?.get(quote.currency)?.decimals;
  const busy = cancel.isPending || revise.isPending;
  const submitRevision = () => {
    const value = decimals === undefined ? undefined : parseAmount(advance, decimals);
    if (value === undefined || value <= 0n || value > BigInt(quote.amount)) {
      setError(t("portfolio.advanceRange"));
      return;
    }
    setError(undefined);
    revise.mutate({ quoteId: quote.id, advance: value.toString() });
  };
  return (
    <Table.Tr>
      <Table.Td>{quote.receivableId}</Table.Td>
      <Table.Td>
        <Amount value={quote.amount} currency={quote.currency} />
      </Table.Td>
      <Table.Td>
        <Amount value={quote.advance} currency={quote.currency} />
      </Table.Td>
      <Table.Td>{quote.effectiveAnnualRate === null ? "—" : `${quote.effectiveAnnualRate.percent} %`}</Table.Td>
      <Table.Td>{t(`mode.${quote.mode}`)}</Table.Td>
      <Table.Td>{formatDate(quote.expiry, i18n.language)}</Table.Td>
      <Table.Td>
        <Badge color={quote.status === "OPEN" ? "blue.9" : "gray.7"}>{t(`quoteStatus.${quote.status}`)}</Badge>
      </Table.Td>
      <Table.Td>
        {quote.status === "OPEN" && (
          <Group gap="xs" align="flex-start">
            <TextInput
              size="xs"
              label={t("portfolio.newAdvance", { id: quote.receivableId })}
              value={advance}
              onChange={(e) => setAdvance(e.currentTarget.value)}
              error={error}
              inputMode="decimal"
            />
            <Button size="xs" mt={22} onClick={submitRevision} loading={revise.isPending} disabled={busy} aria-label={t("portfolio.reviseOne", { id: quote.receivableId })}>
              {t("portfolio.revise")}
            </Button>
            <Button size="xs" mt={22} variant="default" onClick={() => cancel.mutate({ quoteId: quote.id })} loading={cancel.isPending} disabled={busy} aria-label={t("portfolio.cancelOne", { id: quote.receivableId })}>
              {t("portfolio.cancel")}
            </Button>
          </Group>
        )}
        {revise.error !== null && <ErrorNotice error={revise.error} />}
        {revise.data !== undefined && <Text size="xs">{t("portfolio.revised", { rate: revise.data.effectiveAnnualRate?.percent ?? "—" })}</Text>}
        <TxProgress pending={cancel.isPending} result={cancel.data} error={cancel.error} />
      </Table.Td>
    </Table.Tr>
  );
}

function QuotesSection() {
  const { t } = useTranslation("financing");
  const quotes = useMyQuotes();
  const items = quotes.data ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="my-quotes-title">
      <Title order={3} size="h4" id="my-quotes-title">
        {t("portfolio.quotesTitle")}
      </Title>
      {quotes.error !== null && <ErrorNotice error={quotes.error} />}
      {quotes.data !== undefined && items.length === 0 && <Text size="sm">{t("portfolio.noQuotes")}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={1000}>
          <Table>
            <Table.Caption>{t("portfolio.quotesCaption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("portfolio.receivable")}</Table.Th>
                <Table.Th>{t("portfolio.amount")}</Table.Th>
                <Table.Th>{t("quotes.advance")}</Table.Th>
                <Table.Th>{t("quotes.rate")}</Table.Th>
                <Table.Th>{t("quotes.mode")}</Table.Th>
                <Table.Th>{t("quotes.expiry")}</Table.Th>
                <Table.Th>{t("quotes.status")}</Table.Th>
                <Table.Th>{t("quotes.action")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((q) => (
                <MyQuoteRow key={q.id} quote={q} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function HoldingsSection() {
  const { t, i18n } = useTranslation("financing");
  const label = useOrganisationLabel();
  const portfolio = usePortfolio();
  const items = portfolio.data?.items ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="portfolio-title">
      <Title order={3} size="h4" id="portfolio-title">
        {t("portfolio.financedTitle")}
      </Title>
      {portfolio.error !== null && <ErrorNotice error={portfolio.error} />}
      {(portfolio.data?.totals ?? []).map((total) => (
        <Text size="sm" key={total.currency}>
          {t("portfolio.totals")} <Amount value={total.advanced} currency={total.currency} /> · {t("portfolio.expected")} <Amount value={total.expected} currency={total.currency} /> ·{" "}
          {t("portfolio.received")} <Amount value={total.received} currency={total.currency} />
        </Text>
      ))}
      {(portfolio.data?.unregisteredOverdue ?? 0) > 0 && (
        <Text size="sm" c="red.9" fw={700}>
          {t("portfolio.overdueRegistrations", { count: portfolio.data?.unregisteredOverdue ?? 0 })}
        </Text>
      )}
      {portfolio.data !== undefined && items.length === 0 && <Text size="sm">{t("portfolio.noFinancings")}</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table>
            <Table.Caption>{t("portfolio.financedCaption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("portfolio.receivable")}</Table.Th>
                <Table.Th>{t("quotes.mode")}</Table.Th>
                <Table.Th>{t("portfolio.obligor")}</Table.Th>
                <Table.Th>{t("portfolio.maturity")}</Table.Th>
                <Table.Th>{t("quotes.advance")}</Table.Th>
                <Table.Th>{t("portfolio.expected")}</Table.Th>
                <Table.Th>{t("portfolio.received")}</Table.Th>
                <Table.Th>{t("quotes.status")}</Table.Th>
                <Table.Th>{t("portfolio.registration")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((f) => (
                <Table.Tr key={f.quoteHash}>
                  <Table.Td>{f.financedId}</Table.Td>
                  <Table.Td>{t(`mode.${f.mode}`)}</Table.Td>
                  <Table.Td>{f.issuer === null ? "—" : label(f.issuer)}</Table.Td>
                  <Table.Td>{f.maturity === null ? "—" : formatDate(f.maturity, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Amount value={f.advance} currency={f.currency} />
                  </Table.Td>
                  <Table.Td>
                    <Amount value={f.expected} currency={f.currency} />
                  </Table.Td>
                  <Table.Td>
                    <Amount value={f.received} currency={f.currency} />
                  </Table.Td>
                  <Table.Td>{t(`portfolio.status_${f.status}`)}</Table.Td>
                  <Table.Td>
                    {f.registration.status === "REGISTERED" ? (
                      t("portfolio.registered", { number: f.registration.registrationNumber ?? "", date: f.registration.registeredOn ?? "" })
                    ) : (
                      <Text size="sm" c={f.registration.overdue ? "red.9" : undefined} fw={f.registration.overdue ? 700 : undefined}>
                        {t(f.registration.overdue ? "portfolio.unregisteredOverdue" : "portfolio.unregistered", { due: f.registration.dueBy })}
                      </Text>
                    )}
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

/**
 * The financings still owed money in trees marked overdue on chain (maturity and grace passed unpaid, no late
 * deposit curing them): what a bank's desk chases first, each with its obligor, what is outstanding and a link
 * to the tree's lineage.
 */
function OverdueSection() {
  const { t, i18n } = useTranslation("financing");
  const label = useOrganisationLabel();
  const portfolio = usePortfolio();
  const overdue = (portfolio.data?.items ?? []).filter((f) => f.status === "OPEN" && f.tree?.overdue === true);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="overdue-title">
      <Title order={3} size="h4" id="overdue-title">
        {t("portfolio.overdueTitle")}
      </Title>
      {portfolio.data !== undefined && overdue.length === 0 && <Text size="sm">{t("portfolio.noOverdue")}</Text>}
      {overdue.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table>
            <Table.Caption>{t("portfolio.overdueCaption", { count: overdue.length })}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("portfolio.receivable")}</Table.Th>
                <Table.Th>{t("portfolio.obligor")}</Table.Th>
                <Table.Th>{t("portfolio.maturity")}</Table.Th>
                <Table.Th>{t("portfolio.outstandingOwed")}</Table.Th>
                <Table.Th>{t("portfolio.treeState")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {overdue.map((f) => (
                <Table.Tr key={f.quoteHash}>
                  <Table.Td>
                    <Anchor component={Link} to={`/receivables/${f.financedId}`}>
                      {f.financedId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{f.issuer === null ? "—" : label(f.issuer)}</Table.Td>
                  <Table.Td>{f.maturity === null ? "—" : formatDate(f.maturity, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Amount value={f.outstanding} currency={f.currency} />
                  </Table.Td>
                  <Table.Td>
                    <Badge color="red.9">{t("portfolio.treeOverdue")}</Badge> {f.tree?.frozen === true && <Badge color="orange.9">{t("portfolio.treeFrozen")}</Badge>}
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

/** The financier's desk: exposure per obligor against its own limits, its quotes (revise, cancel), its overdue trees, its financings. */
export function PortfolioPage() {
  const { t } = useTranslation("financing");
  return (
    <Stack component="section" aria-labelledby="portfolio-page-title">
      <Title order={2} id="portfolio-page-title">
        {t("portfolio.title")}
      </Title>
      <ExposureSection />
      <QuotesSection />
      <OverdueSection />
      <HoldingsSection />
    </Stack>
  );
}
