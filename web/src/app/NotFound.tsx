import { Anchor, Paper, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** What a page shows for an object that does not exist or is not visible: the same words either way, as the API answers. */
export function NotFound() {
  const { t } = useTranslation("app");
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="not-found-title">
      <Title order={2} id="not-found-title">
        {t("notFound")}
      </Title>
      <Text my="sm">{t("notFoundBody")}</Text>
      <Anchor component={Link} to="/">
        {t("back")}
      </Anchor>
    </Paper>
  );
}
