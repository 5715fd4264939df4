import { Anchor, Badge, Group, Paper, Text, TextInput, Title, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorNotice } from "../../app/ErrorNotice";
import { CashBalance } from "../currencies/CashBalance";
import { formatDate, shortAddress } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { useHoldings, type Receivable } from "./api";

type Column = "id" | "status" | "obligor" | "maturity" | "amount" | "tier";
const COLUMNS: readonly Column[] = ["id", "status", "obligor", "maturity", "amount", "tier"];
const ROW_HEIGHT = 40;

/** Compares two receivables by a column; ids and amounts as bigints (never as floats). */
function compare(a: Receivable, b: Receivable, column: Column): number {
  const big = (x: string, y: string) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0);
  switch (column) {
    case "id":
      return big(a.id, b.id);
    case "amount":
      return big(a.amount, b.amount);
    case "maturity":
      return a.maturity - b.maturity;
    case "tier":
      return a.tier - b.tier;
    case "status":
      return a.status.localeCompare(b.status);
    case "obligor":
      return a.issuer.localeCompare(b.issuer);
  }
}

export const STATUS_COLOR: Record<Receivable["status"], string> = {
  // Shades dark enough for white text (or light enough for black: autoContrast), WCAG AA either way.
  ACTIVE: "teal.9",
  OFFERED: "blue.9",
  PLEDGED: "grape.9",
  FROZEN: "red.9",
  OVERDUE: "red.9",
  MATURED: "yellow.4",
  REDEEMED: "gray.7",
};

/** The organisation's receivables: sortable, filterable, and virtualised (only visible rows are in the DOM). */
export function HoldingsPage() {
  const { t, i18n } = useTranslation("receivables");
  const holdings = useHoldings();
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: "maturity", descending: false });
  const rows = useMemo(() => {
    const all = (holdings.data?.pages ?? []).flatMap((p) => p.items);
    const needle = filter.trim().toLowerCase();
    const shown =
      needle === ""
        ? all
        : all.filter((r) => r.id.includes(needle) || r.issuer.includes(needle) || r.status.toLowerCase().includes(needle) || t(`status.${r.status}`).toLowerCase().includes(needle));
    const sorted = [...shown].sort((a, b) => compare(a, b, sort.column));
    return sort.descending ? sorted.reverse() : sorted;
  }, [holdings.data, filter, sort, t]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="holdings-title">
      <Group justify="space-between" mb="sm">
        <div>
          <Title order={2} id="holdings-title">
            {t("holdings")}
          </Title>
          <Text size="sm">{t("holdingsCaption")}</Text>
          <CashBalance />
        </div>
        <Text size="sm" role="status">
          {t("count", { count: rows.length })}
        </Text>
      </Group>
      <TextInput label={t("filter")} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} mb="sm" maw={360} />
      {holdings.error !== null && <ErrorNotice error={holdings.error} />}
      <div ref={scroller} className="holdings-scroller" tabIndex={0} role="region" aria-labelledby="holdings-title">
        <table className="holdings-table" aria-rowcount={rows.length + 1}>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" aria-sort={sort.column === column ? (sort.descending ? "descending" : "ascending") : "none"}>
                  <UnstyledButton
                    onClick={() => setSort((s) => ({ column, descending: s.column === column ? !s.descending : false }))}
                    aria-label={t("sortBy", { column: t(`column.${column}`) })}
                    fw={600}
                  >
                    {t(`column.${column}`)}
                    {sort.column === column ? (sort.descending ? " ↓" : " ↑") : ""}
                  </UnstyledButton>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && <tr aria-hidden="true" style={{ height: padTop }} />}
            {items.map((item) => {
              const r = rows[item.index] as Receivable;
              return (
                <tr key={r.id} style={{ height: ROW_HEIGHT }} aria-rowindex={item.index + 2}>
                  <td>
                    <Anchor component={Link} to={`/receivables/${r.id}`}>
                      {r.id}
                    </Anchor>
                  </td>
                  <td>
                    <Badge variant="filled" color={STATUS_COLOR[r.status]}>
                      {t(`status.${r.status}`)}
                    </Badge>
                  </td>
                  <td title={r.issuer}>{shortAddress(r.issuer)}</td>
                  <td>{formatDate(r.maturity, i18n.language)}</td>
                  <td className="num">
                    <Amount value={r.amount} currency={r.currency} />
                  </td>
                  <td className="num">{r.tier}</td>
                </tr>
              );
            })}
            {padBottom > 0 && <tr aria-hidden="true" style={{ height: padBottom }} />}
          </tbody>
        </table>
        {holdings.data !== undefined && rows.length === 0 && <Text p="md">{t("empty")}</Text>}
      </div>
    </Paper>
  );
}
