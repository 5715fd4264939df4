import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { Countdown } from "../receivables/OffersPage";
import { useAcceptQuote, useMyRequests, useQuotes, type FinancingRequest, type Quote } from "./api";

function QuoteRow({ quote, best, canAccept }: { quote: Quote; best: boolean; canAccept: boolean }) {
  const { t } = useTranslation("financing");
  const label = useOrganisationLabel();
  const accept = useAcceptQuote();
  return (
    <Table.Tr>
      <Table.Td>
        {label(quote.financier)} {best && <Badge color="teal.9">{t("quotes.best")}</Badge>}
      </Table.Td>
      <Table.Td>
        <Amount value={quote.advance} currency={quote.currency} />
      </Table.Td>
      <Table.Td>{quote.effectiveAnnualRate === null ? "—" : `${quote.effectiveAnnualRate.percent} %`}</Table.Td>
      <Table.Td>
        {quote.subsidy?.effectiveAnnualRate == null ? (
          "—"
        ) : (
          <>
            {quote.subsidy.effectiveAnnualRate.percent} % <Text span size="xs">({t("quotes.subsidyOf")} <Amount value={quote.subsidy.amount} currency={quote.currency} />)</Text>
          </>
        )}
      </Table.Td>
      <Table.Td>{t(`mode.${quote.mode}`)}</Table.Td>
      <Table.Td>
        <Amount value={quote.mode === "PLEDGE" ? quote.repayment : quote.amount} currency={quote.currency} />
      </Table.Td>
      <Table.Td>
        <Countdown deadline={quote.expiry} />
      </Table.Td>
      <Table.Td>{t(`quoteStatus.${quote.status}`)}</Table.Td>
      <Table.Td>
        {quote.status === "OPEN" && canAccept && (
          <Button size="xs" onClick={() => accept.mutate({ quoteId: quote.id })} loading={accept.isPending} disabled={accept.isPending} aria-label={t("quotes.acceptFrom", { name: label(quote.financier) })}>
            {t("quotes.accept")}
          </Button>
        )}
        <TxProgress pending={accept.isPending} result={accept.data} error={accept.error} />
      </Table.Td>
    </Table.Tr>
  );
}

/** One request and its quotes side by side, best effective annual rate first (as the API orders them). */
function RequestCard({ request }: { request: FinancingRequest }) {
  const { t } = useTranslation("financing");
  const quotes = useQuotes(request.id);
  const items = quotes.data ?? [];
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={`request-${request.id}`}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4" id={`request-${request.id}`}>
          {t("mine.requestTitle", { id: request.receivableId })}
        </Title>
        <Badge color={request.open ? "blue.9" : "gray.7"}>{t(`requestStatus.${request.status}`)}</Badge>
      </Group>
      <Text size="sm">
        <Amount value={request.amount} currency={request.receivable?.currency ?? ""} /> · {t(`mode.${request.mode}`)} · {t("mine.quotesUntil")} <Countdown deadline={request.deadline} />
      </Text>
      {quotes.error !== null && <ErrorNotice error={quotes.error} />}
      {quotes.data !== undefined && items.length === 0 && (
        <Text size="sm" mt="xs">
          {t("quotes.none")}
        </Text>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={900} mt="xs">
          <Table>
            <Table.Caption>{t("quotes.caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("quotes.financier")}</Table.Th>
                <Table.Th>{t("quotes.advance")}</Table.Th>
                <Table.Th>{t("quotes.rate")}</Table.Th>
                <Table.Th>{t("quotes.afterSubsidy")}</Table.Th>
                <Table.Th>{t("quotes.mode")}</Table.Th>
                <Table.Th>{t("quotes.cost")}</Table.Th>
                <Table.Th>{t("quotes.expiry")}</Table.Th>
                <Table.Th>{t("quotes.status")}</Table.Th>
                <Table.Th>{t("quotes.action")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((quote, i) => (
                <QuoteRow key={quote.id} quote={quote} best={i === 0 && quote.status === "OPEN"} canAccept={request.status === "OPEN"} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

/** The holder's financing requests, each with its quotes to compare and accept. */
export function MyFinancingPage() {
  const { t } = useTranslation("financing");
  const requests = useMyRequests();
  return (
    <Stack component="section" aria-labelledby="financing-title">
      <Title order={2} id="financing-title">
        {t("mine.title")}
      </Title>
      {requests.error !== null && <ErrorNotice error={requests.error} />}
      {requests.data !== undefined && requests.data.length === 0 && <Text>{t("mine.empty")}</Text>}
      {(requests.data ?? []).map((request) => (
        <RequestCard key={request.id} request={request} />
      ))}
    </Stack>
  );
}
