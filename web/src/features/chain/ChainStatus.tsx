import { Badge, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useChainStatus } from "./api";

/** Head block, indexed block and lag, refreshed every few seconds. */
export function ChainStatus() {
  const { t } = useTranslation("chain");
  const status = useChainStatus();
  const s = status.data;
  if (s === undefined || s.head === null || s.checkpoint === null) {
    return <Text size="sm">{status.isLoading ? "…" : t("unknown")}</Text>;
  }
  return (
    <Group gap="xs" role="status" aria-label={t("status")}>
      <Text size="sm">{t("head", { block: s.head })}</Text>
      <Text size="sm">{t("indexed", { block: s.checkpoint })}</Text>
      <Badge color={s.ok ? "teal.9" : "orange.9"} variant="filled">
        {s.lagBlocks === 0 || s.lagBlocks === null ? t("inSync") : t("lag", { count: s.lagBlocks })}
      </Badge>
    </Group>
  );
}
