import { Button, NativeSelect, Paper, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatAmount, parseAmount } from "../../lib/money";
import { useChainStatus } from "../chain/api";
import type { Receivable } from "../receivables/api";
import { useOpenFinancingRequest } from "./api";

interface Form {
  amount: string;
  mode: "ANY" | "PURCHASE" | "PLEDGE";
  hours: string;
}

/** The holder asks the market for financing of all or part of a receivable; banks quote until the deadline. */
export function RequestFinancingForm({ receivable: r, decimals }: { receivable: Receivable; decimals: number }) {
  const { t, i18n } = useTranslation("financing");
  const chain = useChainStatus();
  const open = useOpenFinancingRequest();
  const navigate = useNavigate();
  const form = useForm<Form>({ defaultValues: { amount: formatAmount(r.amount, decimals, "en").replace(/,/g, ""), mode: "ANY", hours: "24" } });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (v) => {
    // Deadlines are judged by the chain's clock, not this computer's.
    const now = chain.data?.headTimestamp ?? Math.floor(Date.now() / 1000);
    await open.mutateAsync({ receivableId: r.id, amount: (parseAmount(v.amount, decimals) as bigint).toString(), mode: v.mode, deadline: now + Number(v.hours) * 3600 });
    void navigate("/financing");
  });
  return (
    <Paper withBorder p="md" mt="md" component="section" aria-labelledby="finance-title">
      <Title order={3} size="h4" id="finance-title" mb="xs">
        {t("request.title")}
      </Title>
      <form noValidate onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <Stack gap="sm" maw={480}>
          <TextInput
            label={t("request.amount")}
            description={t("request.amountHelp", { max: formatAmount(r.amount, decimals, i18n.language) })}
            inputMode="decimal"
            error={errors.amount?.message}
            {...form.register("amount", {
              validate: (text) => {
                const value = parseAmount(text, decimals);
                if (value === undefined) return t("request.amountMalformed", { decimals });
                if (value <= 0n || value > BigInt(r.amount)) return t("request.amountRange");
                return true;
              },
            })}
          />
          <NativeSelect
            label={t("request.mode")}
            data={(["ANY", "PURCHASE", "PLEDGE"] as const).map((m) => ({ value: m, label: t(`mode.${m}`) }))}
            {...form.register("mode")}
          />
          <TextInput
            label={t("request.hours")}
            inputMode="numeric"
            error={errors.hours?.message}
            {...form.register("hours", { validate: (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 720 ? true : t("request.hoursRange")) })}
          />
          {open.error !== null && <ErrorNotice error={open.error} />}
          <Button type="submit" loading={open.isPending} disabled={open.isPending}>
            {t("request.submit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
