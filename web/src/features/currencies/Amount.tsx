import { useTranslation } from "react-i18next";
import { formatAmount } from "../../lib/money";
import { useCurrencies } from "./api";

/** An amount of base units shown with its currency's decimals and symbol, in the user's language. */
export function Amount({ value, currency }: { value: string | bigint; currency: string }) {
  const { i18n } = useTranslation();
  const currencies = useCurrencies();
  const known = currencies.data?.get(currency.toLowerCase());
  if (known === undefined) return <span aria-busy="true">…</span>;
  return (
    <span style={{ fontVariantNumeric: "tabular-nums" }}>
      {formatAmount(value, known.decimals, i18n.language)} {known.symbol}
    </span>
  );
}
