import { Button, Group, Paper, Table, Text, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { formatDate, formatDateTime } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useAcceptOffer, useIncomingOffers, useRejectOffer, type Receivable } from "./api";

/** Seconds left until `deadline` (unix seconds), ticking every second. */
function useSecondsLeft(deadline: number): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, deadline - now);
}

export function Countdown({ deadline }: { deadline: number }) {
  const { t, i18n } = useTranslation("receivables");
  const left = useSecondsLeft(deadline);
  const days = Math.floor(left / 86_400);
  const hours = Math.floor((left % 86_400) / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  return (
    <span title={formatDateTime(deadline, i18n.language)}>
      {left === 0 ? t("offers.expired") : t("offers.left", { days, hours, minutes })}
    </span>
  );
}

function OfferRow({ offer }: { offer: Receivable }) {
  const { t, i18n } = useTranslation("receivables");
  const label = useOrganisationLabel();
  const accept = useAcceptOffer();
  const reject = useRejectOffer();
  const busy = accept.isPending || reject.isPending;
  return (
    <Table.Tr>
      <Table.Td>{offer.id}</Table.Td>
      <Table.Td>{label(offer.holder)}</Table.Td>
      <Table.Td>{label(offer.issuer)}</Table.Td>
      <Table.Td>
        <Amount value={offer.amount} currency={offer.currency} />
      </Table.Td>
      <Table.Td>{formatDate(offer.maturity, i18n.language)}</Table.Td>
      <Table.Td>{offer.offerDeadline === null ? "—" : <Countdown deadline={offer.offerDeadline} />}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" onClick={() => accept.mutate({ id: offer.id })} disabled={busy} loading={accept.isPending} aria-label={t("offers.acceptOne", { id: offer.id })}>
            {t("offers.accept")}
          </Button>
          <Button size="xs" variant="default" onClick={() => reject.mutate({ id: offer.id })} disabled={busy} loading={reject.isPending} aria-label={t("offers.rejectOne", { id: offer.id })}>
            {t("offers.reject")}
          </Button>
        </Group>
        <TxProgress pending={accept.isPending} result={accept.data} error={accept.error} />
        <TxProgress pending={reject.isPending} result={reject.data} error={reject.error} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Receivables offered to the organisation: accept (sign for receipt) or reject before the deadline. */
export function OffersPage() {
  const { t } = useTranslation("receivables");
  const offers = useIncomingOffers();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="offers-title">
      <Title order={2} id="offers-title" mb="sm">
        {t("offers.title")}
      </Title>
      {offers.error !== null && <ErrorNotice error={offers.error} />}
      {offers.data !== undefined && offers.data.length === 0 && <Text>{t("offers.empty")}</Text>}
      {offers.data !== undefined && offers.data.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("column.id")}</Table.Th>
                <Table.Th>{t("offers.from")}</Table.Th>
                <Table.Th>{t("column.obligor")}</Table.Th>
                <Table.Th>{t("column.amount")}</Table.Th>
                <Table.Th>{t("column.maturity")}</Table.Th>
                <Table.Th>{t("offers.deadline")}</Table.Th>
                <Table.Th>{t("offers.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {offers.data.map((offer) => (
                <OfferRow key={offer.id} offer={offer} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
