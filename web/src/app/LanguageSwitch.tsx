import { NativeSelect } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { LANGUAGES, rememberLanguage, type Language } from "./i18n";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation("app");
  return (
    <NativeSelect
      label={t("language")}
      size="xs"
      value={i18n.language}
      data={LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
      onChange={(event) => {
        const language = event.currentTarget.value as Language;
        rememberLanguage(language);
        void i18n.changeLanguage(language);
      }}
    />
  );
}
