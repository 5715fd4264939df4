import { Button, Code, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { formatDate } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useConfirmInvoice, useInvoicesToConfirm, useRejectInvoice, type Invoice } from "./api";

function InvoiceCard({ invoice }: { invoice: Invoice }) {
  const { t, i18n } = useTranslation("invoices");
  const label = useOrganisationLabel();
  const confirm = useConfirmInvoice();
  const reject = useRejectInvoice();
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>();
  const busy = confirm.isPending || reject.isPending;
  const titleId = `invoice-${invoice.invoiceHash.slice(2, 14)}`;
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={titleId}>
      <Title order={3} size="h4" id={titleId}>
        {t("card.title", { number: invoice.invoiceNumber ?? invoice.invoiceHash.slice(0, 10), supplier: label(invoice.supplier) })}
      </Title>
      <Text size="sm">
        <Amount value={invoice.amount} currency={invoice.currency} /> · {t("card.due", { date: formatDate(invoice.maturity, i18n.language) })}
      </Text>
      <Text size="xs" mt={4}>
        {t("card.hash")} <Code>{invoice.invoiceHash}</Code> · {invoice.document.uploaded ? t("card.documentMatches") : t("card.noDocument")}
      </Text>
      <Group mt="sm" align="flex-end">
        <Button onClick={() => confirm.mutate({ invoiceHash: invoice.invoiceHash })} loading={confirm.isPending} disabled={busy} aria-label={t("card.confirmOne", { number: invoice.invoiceNumber ?? "" })}>
          {t("card.confirm")}
        </Button>
        <TextInput label={t("card.reason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} maxLength={500} />
        <Button
          variant="default"
          disabled={busy}
          loading={reject.isPending}
          onClick={() => {
            if (reason.trim() === "") {
              setReasonError(t("card.reasonRequired"));
              return;
            }
            setReasonError(undefined);
            reject.mutate({ invoiceHash: invoice.invoiceHash, reason: reason.trim() });
          }}
        >
          {t("card.reject")}
        </Button>
      </Group>
      <TxProgress pending={confirm.isPending} result={confirm.data} error={confirm.error} />
      <TxProgress pending={reject.isPending} result={reject.data} error={reject.error} />
    </Paper>
  );
}

/** Invoices registered on the core enterprise, waiting for its confirmation (or rejection with a reason). */
export function InvoicesPage() {
  const { t } = useTranslation("invoices");
  const invoices = useInvoicesToConfirm();
  return (
    <Stack component="section" aria-labelledby="invoices-title">
      <Title order={2} id="invoices-title">
        {t("title")}
      </Title>
      {invoices.error !== null && <ErrorNotice error={invoices.error} />}
      {invoices.data !== undefined && invoices.data.length === 0 && <Text>{t("empty")}</Text>}
      {(invoices.data ?? []).map((invoice) => (
        <InvoiceCard key={invoice.invoiceHash} invoice={invoice} />
      ))}
    </Stack>
  );
}
