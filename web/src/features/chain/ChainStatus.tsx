import { Badge, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../lib/dates";
import { useChainStatus } from "./api";

/** Head block, indexed block and the chain's clock (by which maturities and deadlines are judged). */
export function ChainStatus() {
  const { t, i18n } = useTranslation("chain");
  const status = useChainStatus();
  const s = status.data;
  if (s === undefined) return <Text size="sm">{status.isLoading ? "…" : t("unknown")}</Text>;
  return (
    <Group gap="xs" role="status" aria-label={t("status")}>
      <Text size="sm">{t("head", { block: s.headBlock })}</Text>
      <Text size="sm">{t("indexed", { block: s.indexedBlock ?? "—" })}</Text>
      <Text size="sm">{t("time", { time: formatDateTime(s.headTimestamp, i18n.language) })}</Text>
      {/* autoContrast: white on orange.9 is below WCAG AA (axe caught it while the indexer lagged a block). */}
      <Badge color={s.lagBlocks === 0 ? "teal.9" : "orange.9"} variant="filled" autoContrast>
        {s.lagBlocks === 0 || s.lagBlocks === null ? t("inSync") : t("lag", { count: s.lagBlocks })}
      </Badge>
    </Group>
  );
}
