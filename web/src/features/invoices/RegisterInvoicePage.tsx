/**
 * Supplier: register an invoice on a core enterprise. The document's keccak256 is computed here, in the
 * browser, and becomes the invoice hash; the server recomputes it on upload and refuses a document that
 * does not match, and the page shows both hashes side by side.
 */
import { Button, Code, FileInput, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { keccak256 } from "ethers";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TxProgress } from "../../app/TxProgress";
import { parseAmount } from "../../lib/money";
import { useChainStatus } from "../chain/api";
import { useCurrencies } from "../currencies/api";
import { useOrganisationLabel, useOrganisations } from "../organisations/api";
import { useRegisterInvoice } from "./api";

type Errors = Partial<Record<"debtor" | "amount" | "maturity" | "invoiceNumber" | "document", string>>;

export function RegisterInvoicePage() {
  const { t } = useTranslation("invoices");
  const organisations = useOrganisations();
  const currencies = useCurrencies();
  const chain = useChainStatus();
  const label = useOrganisationLabel();
  const register = useRegisterInvoice();
  const debtors = (organisations.data ?? []).filter((o) => o.role === "CORE_ENTERPRISE" && o.active);
  const currencyList = [...(currencies.data?.values() ?? [])];
  const [debtor, setDebtor] = useState("");
  const [currency, setCurrency] = useState("");
  const [amount, setAmount] = useState("");
  const [maturity, setMaturity] = useState("");
  const [invoiceNumber, setInvoiceNumber] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [hash, setHash] = useState<string | undefined>();
  const [errors, setErrors] = useState<Errors>({});
  // The debtor is chosen, never defaulted: an invoice on the wrong core enterprise cannot be undone.
  const chosenDebtor = debtor;
  const chosenCurrency = currencies.data?.get(currency || currencyList[0]?.address || "");

  async function choose(f: File | null) {
    setFile(f);
    setHash(f === null ? undefined : keccak256(new Uint8Array(await f.arrayBuffer())));
  }

  function submit() {
    const found: Errors = {};
    const decimals = chosenCurrency?.decimals ?? 0;
    const value = parseAmount(amount, decimals);
    if (chosenDebtor === "") found.debtor = t("register.debtorRequired");
    if (value === undefined || value <= 0n) found.amount = t("register.amountInvalid", { decimals });
    // The maturity is judged by the chain's clock, as the contract will judge it.
    const due = maturity === "" ? NaN : Math.floor(new Date(`${maturity}T23:59:59`).getTime() / 1000);
    const now = chain.data?.headTimestamp ?? Math.floor(Date.now() / 1000);
    if (!Number.isFinite(due) || due <= now) found.maturity = t("register.maturityInvalid");
    if (invoiceNumber.trim() === "") found.invoiceNumber = t("register.numberRequired");
    if (file === null || hash === undefined) found.document = t("register.documentRequired");
    setErrors(found);
    if (Object.keys(found).length > 0 || chosenCurrency === undefined || file === null || hash === undefined || value === undefined) return;
    register.mutate({
      debtor: chosenDebtor,
      currency: chosenCurrency.address,
      amount: value.toString(),
      maturity: due,
      invoiceNumber: invoiceNumber.trim(),
      invoiceHash: hash,
      document: file,
    });
  }

  const done = register.data;
  return (
    <Stack component="section" aria-labelledby="register-invoice-title">
      <Title order={2} id="register-invoice-title">
        {t("register.title")}
      </Title>
      <Paper withBorder p="md">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label={t("register.debtor")}
              value={chosenDebtor}
              onChange={(e) => setDebtor(e.currentTarget.value)}
              data={[{ value: "", label: t("register.choose") }, ...debtors.map((o) => ({ value: o.address, label: label(o.address) }))]}
              error={errors.debtor}
            />
            <NativeSelect
              label={t("register.currency")}
              value={chosenCurrency?.address ?? ""}
              onChange={(e) => setCurrency(e.currentTarget.value)}
              data={currencyList.map((c) => ({ value: c.address, label: c.symbol }))}
            />
            <TextInput label={t("register.amount")} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={errors.amount} inputMode="decimal" />
            <TextInput type="date" label={t("register.maturity")} value={maturity} onChange={(e) => setMaturity(e.currentTarget.value)} error={errors.maturity} />
            <TextInput label={t("register.number")} value={invoiceNumber} onChange={(e) => setInvoiceNumber(e.currentTarget.value)} error={errors.invoiceNumber} maxLength={100} />
            <FileInput label={t("register.document")} value={file} onChange={(f) => void choose(f)} error={errors.document} clearable />
          </SimpleGrid>
          {hash !== undefined && (
            <Text size="sm" mt="sm">
              {t("register.browserHash")} <Code>{hash}</Code>
            </Text>
          )}
          {/* Amounts are checked with the currency's decimals: nothing is sent before they are known. */}
          <Button type="submit" mt="md" loading={register.isPending} disabled={register.isPending || chosenCurrency === undefined}>
            {t("register.submit")}
          </Button>
        </form>
        <TxProgress pending={register.isPending} result={done} error={register.error} />
        {done !== undefined && (
          <Text size="sm" mt="sm" role="status" aria-label={t("register.checked")}>
            {done.serverHash === hash && done.invoiceHash === hash ? t("register.matches", { hash: done.serverHash }) : t("register.mismatch", { hash: done.serverHash })}
          </Text>
        )}
      </Paper>
    </Stack>
  );
}
