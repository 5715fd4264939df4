import { Button, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm, Controller } from "react-hook-form";
import { useTranslation } from "react-i18next";
import type { Me } from "../../app/auth";
import { TxProgress } from "../../app/TxProgress";
import { formatAmount, parseAmount } from "../../lib/money";
import { useCurrencies } from "../currencies/api";
import { useOrganisationLabel, useOrganisations } from "../organisations/api";
import { RequestFinancingForm } from "../financing/RequestFinancingForm";
import { useRedeem } from "../settlement/api";
import { useCancelOffer, useLedgerParameters, useSplit, useTransfer, type Receivable } from "./api";

interface MoveForm {
  to: string;
  amount: string;
}

/**
 * The holder's actions on a receivable: offer all or part of it to another organisation, split a part
 * off, withdraw an open offer, redeem at maturity. Field errors show before anything is sent; a refusal
 * by the chain shows its decoded error.
 */
export function ReceivableActions({ receivable: r, me }: { receivable: Receivable; me: Me }) {
  const { t, i18n } = useTranslation("receivables");
  const currencies = useCurrencies();
  const decimals = currencies.data?.get(r.currency)?.decimals;
  const parameters = useLedgerParameters();
  const organisations = useOrganisations();
  const label = useOrganisationLabel();
  const transfer = useTransfer();
  const split = useSplit();
  const cancel = useCancelOffer();
  const redeem = useRedeem();
  const form = useForm<MoveForm>({ defaultValues: { to: "", amount: "" } });
  // A redemption sent from this page keeps its progress on screen after the receivable is burnt.
  const redeemed = redeem.data !== undefined;
  if ((me.organisation !== r.holder && !redeemed) || decimals === undefined) return null;

  const recipients = (organisations.data ?? [])
    .filter((o) => o.active && o.address !== me.organisation && (o.role === "SUPPLIER" || o.role === "FINANCIER"))
    .map((o) => ({ value: o.address, label: `${label(o.address)} (${o.address.slice(0, 8)}…)` }));

  const amountRules = {
    required: t("actions.amountRequired"),
    validate: (text: string) => {
      const value = parseAmount(text, decimals);
      if (value === undefined) return t("actions.amountMalformed", { decimals });
      if (value <= 0n) return t("actions.amountPositive");
      if (value > BigInt(r.amount)) return t("actions.amountTooLarge");
      return true;
    },
  };
  const amountOf = (text: string) => (parseAmount(text, decimals) as bigint).toString();
  const errors = form.formState.errors;
  const busy = transfer.isPending || split.isPending;

  if (r.status === "OFFERED") {
    return (
      <Paper withBorder p="md" mt="md" component="section" aria-labelledby="actions-title">
        <Title order={3} id="actions-title" size="h4">
          {t("actions.title")}
        </Title>
        <Text size="sm" my="xs">
          {t("actions.offeredTo", { to: label(r.offeredTo ?? "") })}
        </Text>
        <Button variant="default" onClick={() => cancel.mutate({ id: r.id })} loading={cancel.isPending}>
          {t("actions.cancelOffer")}
        </Button>
        <TxProgress pending={cancel.isPending} result={cancel.data} error={cancel.error} />
      </Paper>
    );
  }
  if (r.status === "MATURED" || redeemed) {
    return (
      <Paper withBorder p="md" mt="md" component="section" aria-labelledby="actions-title">
        <Title order={3} id="actions-title" size="h4">
          {t("actions.title")}
        </Title>
        {r.status === "MATURED" && (
          <Button mt="xs" onClick={() => redeem.mutate({ id: r.id })} loading={redeem.isPending} disabled={redeem.isPending}>
            {t("actions.redeem")}
          </Button>
        )}
        <TxProgress pending={redeem.isPending} result={redeem.data} error={redeem.error} />
      </Paper>
    );
  }
  if (r.status !== "ACTIVE") return null;
  return (
    <>
    <Paper withBorder p="md" mt="md" component="section" aria-labelledby="actions-title">
      <Title order={3} id="actions-title" size="h4">
        {t("actions.title")}
      </Title>
      {parameters.data !== undefined && (
        <Text size="sm" my="xs">
          {t("actions.rules", { min: formatAmount(parameters.data.minPartAmount, decimals, i18n.language), depth: r.depth, maxDepth: parameters.data.maxDepth })}
        </Text>
      )}
      <form noValidate onSubmit={form.handleSubmit((v) => transfer.mutate({ id: r.id, to: v.to, amount: amountOf(v.amount) }))}>
        <Stack gap="sm" maw={480}>
          <Controller
            name="to"
            control={form.control}
            rules={{ required: t("actions.recipientRequired") }}
            render={({ field }) => (
              <Select
                label={t("actions.recipient")}
                data={recipients}
                searchable
                value={field.value === "" ? null : field.value}
                onChange={(value) => field.onChange(value ?? "")}
                onBlur={field.onBlur}
                error={errors.to?.message}
                nothingFoundMessage={t("actions.noRecipient")}
              />
            )}
          />
          <TextInput label={t("actions.amount")} description={t("actions.amountHelp")} inputMode="decimal" error={errors.amount?.message} {...form.register("amount", amountRules)} />
          <Group>
            <Button type="submit" disabled={busy} loading={transfer.isPending}>
              {t("actions.offer")}
            </Button>
            <Button
              variant="default"
              disabled={busy}
              loading={split.isPending}
              onClick={() => {
                form.clearErrors("to");
                void form.trigger("amount").then((ok) => {
                  if (ok) split.mutate({ id: r.id, amount: amountOf(form.getValues("amount")) });
                });
              }}
            >
              {t("actions.split")}
            </Button>
          </Group>
        </Stack>
      </form>
      <TxProgress pending={transfer.isPending} result={transfer.data} error={transfer.error} />
      <TxProgress pending={split.isPending} result={split.data} error={split.error} />
    </Paper>
    {!r.financed && <RequestFinancingForm receivable={r} decimals={decimals} />}
    </>
  );
}
