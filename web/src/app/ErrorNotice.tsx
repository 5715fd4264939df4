import { Alert, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ApiError } from "../lib/api/client";

/** The human message of an API error code in the current language (a generic one for codes without words). */
export function useErrorMessage() {
  const { t, i18n } = useTranslation("app");
  return (error: unknown): { code: string; message: string } => {
    const code = error instanceof ApiError ? error.code : "NetworkError";
    const key = `error.${code}`;
    return { code, message: i18n.exists(key, { ns: "app" }) ? t(key) : t("error.generic") };
  };
}

/** Any API error, with its code and a message in both languages. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useTranslation("app");
  const describe = useErrorMessage();
  const { code, message } = describe(error);
  return (
    <Alert color="red" title={t("error.title")} role="alert">
      <Text size="sm">{message}</Text>
      <Text size="xs" c="dimmed">
        {t("error.code", { code })}
      </Text>
    </Alert>
  );
}
