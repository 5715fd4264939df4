import { Group, Stepper, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useChainStatus } from "../features/chain/api";
import type { TxResult } from "../lib/txMutation";
import { ErrorNotice } from "./ErrorNotice";

/**
 * A transaction's progress, the same everywhere: submitted → mined (block, hash; with confirmations, the block
 * at which it is final) → indexed (visible in every view).
 */
export function TxProgress({ pending, result, error }: { pending: boolean; result: TxResult | undefined; error: unknown }) {
  const { t } = useTranslation("app");
  const chain = useChainStatus();
  if (error !== null && error !== undefined) return <ErrorNotice error={error} />;
  if (!pending && result === undefined) return null;
  const indexed = result !== undefined && (result.indexed || (chain.data?.indexedBlock ?? -1) >= result.blockNumber);
  const active = result === undefined ? 1 : indexed ? 3 : 2;
  const state = result === undefined ? "submitted" : indexed ? "indexed" : "mined";
  // Named by where the transaction is, so a screen reader (and a test) can wait for "indexed".
  return (
    <div role="status" aria-live="polite" aria-label={t(`tx.state_${state}`)}>
      <Stepper active={active} size="xs" mt="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={t("tx.submitted")} />
        <Stepper.Step
          label={t("tx.mined")}
          description={
            result === undefined
              ? undefined
              : result.finalAtBlock > result.blockNumber && !indexed
                ? t("tx.finalAt", { block: result.blockNumber, finalAt: result.finalAtBlock })
                : t("tx.block", { block: result.blockNumber })
          }
        />
        <Stepper.Step label={t("tx.indexed")} />
      </Stepper>
      {result !== undefined && (
        <Group gap="xs" mt={4}>
          <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
            {t("tx.hash", { hash: result.txHash })}
          </Text>
        </Group>
      )}
    </div>
  );
}
