import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useLedgerStatus } from "./api";

/** Shown to every role while the operator has the ledger paused: every write would be refused. */
export function PausedBanner() {
  const { t } = useTranslation("ledger");
  const status = useLedgerStatus();
  if (status.data?.paused !== true) return null;
  return (
    <Alert color="red" variant="filled" role="alert" mb="md">
      {t("pausedBanner")}
    </Alert>
  );
}
