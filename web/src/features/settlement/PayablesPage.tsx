import { BarChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Button, Group, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../../app/ErrorNotice";
import { TxProgress } from "../../app/TxProgress";
import { chartNumber } from "../../lib/chartNumber";
import { formatDate } from "../../lib/dates";
import { formatAmount, parseAmount } from "../../lib/money";
import { useCurrencies } from "../currencies/api";
import { Amount } from "../currencies/Amount";
import { useDeposit, usePools } from "./api";

type Pool = NonNullable<ReturnType<typeof usePools>["data"]>[number];

function DepositForm({ pool, decimals }: { pool: Pool; decimals: number }) {
  const { t } = useTranslation("settlement");
  const deposit = useDeposit();
  const [amount, setAmount] = useState(formatAmount(pool.due, decimals, "en").replace(/,/g, ""));
  const [error, setError] = useState<string | undefined>();
  return (
    <>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput size="xs" label={t("deposit.amount")} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={error} inputMode="decimal" />
        <Button
          size="xs"
          loading={deposit.isPending}
          disabled={deposit.isPending}
          onClick={() => {
            const value = parseAmount(amount, decimals);
            if (value === undefined || value <= 0n) return setError(t("deposit.malformed", { decimals }));
            if (value > BigInt(pool.due)) return setError(t("deposit.tooMuch"));
            setError(undefined);
            deposit.mutate({ currency: pool.currency, maturity: pool.maturity, amount: value.toString() });
          }}
        >
          {t("deposit.submit")}
        </Button>
      </Group>
      <TxProgress pending={deposit.isPending} result={deposit.data} error={deposit.error} />
    </>
  );
}

/** The payables ladder: per maturity, the face owed, what is deposited and what is still due; deposit into a maturity. */
export function PayablesPage() {
  const { t, i18n } = useTranslation("settlement");
  const pools = usePools();
  const currencies = useCurrencies();
  const items = pools.data ?? [];
  const decimalsOf = (currency: string) => currencies.data?.get(currency)?.decimals;
  const chart = items
    .filter((p) => decimalsOf(p.currency) !== undefined)
    .map((p) => {
      const d = decimalsOf(p.currency) as number;
      return { maturity: formatDate(p.maturity, i18n.language), paid: chartNumber(p.deposited, d), unpaid: chartNumber(p.due, d) };
    });
  return (
    <Stack component="section" aria-labelledby="payables-title">
      <Title order={2} id="payables-title">
        {t("title")}
      </Title>
      {pools.error !== null && <ErrorNotice error={pools.error} />}
      {pools.data !== undefined && items.length === 0 && <Text>{t("empty")}</Text>}
      {chart.length > 0 && (
        <Paper withBorder p="md" role="img" aria-label={t("chartLabel")}>
          <BarChart
            h={260}
            data={chart}
            dataKey="maturity"
            type="stacked"
            withLegend
            series={[
              { name: "paid", label: t("paid"), color: "teal.9" },
              { name: "unpaid", label: t("unpaid"), color: "orange.7" },
            ]}
          />
        </Paper>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table>
            <Table.Caption>{t("caption")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("maturity")}</Table.Th>
                <Table.Th>{t("face")}</Table.Th>
                <Table.Th>{t("paid")}</Table.Th>
                <Table.Th>{t("unpaid")}</Table.Th>
                <Table.Th>{t("deposit.title")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => {
                const d = decimalsOf(p.currency);
                return (
                  <Table.Tr key={p.poolId}>
                    <Table.Td>
                      {formatDate(p.maturity, i18n.language)} {p.overdue ? t("overdue") : ""}
                    </Table.Td>
                    <Table.Td>
                      <Amount value={p.face} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>
                      <Amount value={p.deposited} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>
                      <Amount value={p.due} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>{d !== undefined && BigInt(p.due) > 0n ? <DepositForm pool={p} decimals={d} /> : t("settled")}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
