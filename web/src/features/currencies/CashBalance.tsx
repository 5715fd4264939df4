import { Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useSession } from "../../app/auth";
import { Amount } from "./Amount";
import { useBalances } from "./api";

/** The organisation's cash: its balance of each settlement currency, on chain now. Nothing for operator and auditor. */
export function CashBalance() {
  const { t } = useTranslation("app");
  const organisation = useSession().data?.organisation ?? null;
  const balances = useBalances(organisation !== null);
  if (organisation === null || balances.data === undefined) return null;
  return (
    <Text size="sm" data-testid="cash-balance">
      {t("cash")}{" "}
      {balances.data.map((b, i) => (
        <span key={b.currency.address}>
          {i > 0 && " · "}
          <Amount value={b.balance} currency={b.currency.address} />
        </span>
      ))}
    </Text>
  );
}
