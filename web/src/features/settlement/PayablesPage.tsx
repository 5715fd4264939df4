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
import { useCurrencies, useFaceCurrency } from "../currencies/api";
import { Amount } from "../currencies/Amount";
import { useSession } from "../../app/auth";
import { useIssuanceLimit } from "../organisations/api";
import { useDeposit, usePools } from "./api";

/** One rung of the ladder: what is outstanding at a maturity, what is deposited, what is still due. */
interface Rung {
  key: string;
  currency: string;
  maturity: number;
  outstanding: string;
  deposited: string;
  due: string;
}

function DepositForm({ pool, decimals }: { pool: Rung; decimals: number }) {
  const { t } = useTranslation("settlement");
  const deposit = useDeposit();
  const [amount, setAmount] = useState(formatAmount(pool.due, decimals, "en").replace(/,/g, ""));
  const [error, setError] = useState<string | undefined>();
  // The progress stays on screen once the maturity is fully deposited (the form itself gives way).
  return (
    <>
      {BigInt(pool.due) === 0n ? (
        t("settled")
      ) : (
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            size="xs"
            label={t("deposit.amount")}
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value)}
            error={error}
            inputMode="decimal"
          />
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
      )}
      <TxProgress pending={deposit.isPending} result={deposit.data} error={deposit.error} />
    </>
  );
}

/** The payables ladder: per maturity, the amount outstanding, what is deposited and what is still due; deposit into a maturity. */
export function PayablesPage() {
  const { t, i18n } = useTranslation("settlement");
  const pools = usePools();
  const session = useSession();
  const limit = useIssuanceLimit(session.data?.organisation ?? null);
  const currencies = useCurrencies();
  const faceCurrency = useFaceCurrency();
  // Outstanding per maturity from the issuance limit's view; deposits from the repayment pools.
  const deposits = new Map((pools.data ?? []).map((p) => [`${p.currency}:${p.maturity}`, p.deposited]));
  const items: Rung[] = (limit.data?.upcomingMaturities ?? []).map((m) => {
    const key = `${m.currency}:${m.maturity}`;
    const deposited = BigInt(deposits.get(key) ?? "0");
    const outstanding = BigInt(m.outstanding);
    return {
      key,
      currency: m.currency,
      maturity: m.maturity,
      outstanding: m.outstanding,
      deposited: deposited.toString(),
      due: (outstanding > deposited ? outstanding - deposited : 0n).toString(),
    };
  });
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
      {limit.error !== null && <ErrorNotice error={limit.error} />}
      {limit.data !== undefined && faceCurrency !== undefined && (
        <Text size="sm" data-testid="issuance-limit">
          {t("issuanceLimit", {
            limit: `${formatAmount(limit.data.limit, faceCurrency.decimals, i18n.language)} ${faceCurrency.symbol}`,
            issued: `${formatAmount(limit.data.issued, faceCurrency.decimals, i18n.language)} ${faceCurrency.symbol}`,
            available: `${formatAmount(limit.data.available, faceCurrency.decimals, i18n.language)} ${faceCurrency.symbol}`,
          })}
        </Text>
      )}
      {limit.data !== undefined && items.length === 0 && <Text>{t("empty")}</Text>}
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
                  <Table.Tr key={p.key}>
                    <Table.Td>{formatDate(p.maturity, i18n.language)}</Table.Td>
                    <Table.Td>
                      <Amount value={p.outstanding} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>
                      <Amount value={p.deposited} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>
                      <Amount value={p.due} currency={p.currency} />
                    </Table.Td>
                    <Table.Td>{d === undefined ? "…" : <DepositForm pool={p} decimals={d} />}</Table.Td>
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
