import { Button, Code, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { formatDate } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useOrganisationLabel } from "../organisations/api";
import { useSession } from "../../app/auth";
import { useConfirmInvoice, useInvoicesToConfirm, useRejectInvoice, useSigning, type Invoice } from "./api";

function InvoiceCard({ invoice }: { invoice: Invoice }) {
  const { t, i18n } = useTranslation("invoices");
  const label = useOrganisationLabel();
  const confirm = useConfirmInvoice();
  const reject = useRejectInvoice();
  const organisation = useSession().data?.organisation ?? undefined;
  // An organisation that keeps its own key confirms by its wallet's signature.
  const signing = useSigning(organisation !== undefined);
  const wallet = signing.data === "WALLET" && organisation !== undefined ? { organisation } : undefined;
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
        <Button
          onClick={() => confirm.mutate({ invoiceHash: invoice.invoiceHash, supplier: invoice.supplier, ...(wallet === undefined ? {} : { wallet }) })}
          loading={confirm.isPending}
          disabled={busy || signing.data === undefined}
          aria-label={t(wallet === undefined ? "card.confirmOne" : "card.confirmOneWithWallet", { number: invoice.invoiceNumber ?? "" })}
        >
          {t(wallet === undefined ? "card.confirm" : "card.confirmWithWallet")}
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
