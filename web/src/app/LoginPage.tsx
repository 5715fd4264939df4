import { zodResolver } from "@hookform/resolvers/zod";
import { Button, Container, Group, Paper, PasswordInput, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod/mini";
import { useApiKeySignIn, useDemoLogins, useDemoSignIn, useWalletSignIn } from "./auth";
import { ErrorNotice } from "./ErrorNotice";
import { LanguageSwitch } from "./LanguageSwitch";

// zod/mini: the same checks as zod at a fraction of the bundle.
const ApiKeyForm = z.object({ apiKey: z.string().check(z.trim(), z.minLength(1, "required"), z.regex(/^llk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/, "malformed")) });

export function LoginPage() {
  const { t } = useTranslation("app");
  const demo = useDemoLogins();
  const demoSignIn = useDemoSignIn();
  const keySignIn = useApiKeySignIn();
  const walletSignIn = useWalletSignIn();
  const form = useForm<z.infer<typeof ApiKeyForm>>({ resolver: zodResolver(ApiKeyForm), defaultValues: { apiKey: "" } });
  const keyError = form.formState.errors.apiKey?.message;

  return (
    <Container size="sm" py="xl" component="main" id="main">
      <Group justify="space-between" align="flex-end" mb="lg">
        <Title order={1}>{t("login.title")}</Title>
        <LanguageSwitch />
      </Group>
      <Stack gap="lg">
        {demo.data !== undefined && demo.data.length > 0 && (
          <Paper withBorder p="md" component="section" aria-labelledby="demo-title">
            <Title order={2} size="h4" id="demo-title">
              {t("login.demoTitle")}
            </Title>
            <Text size="sm" mb="sm">
              {t("login.demoHelp")}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {demo.data.map((o) => (
                <Button
                  key={o.subject}
                  variant="light"
                  loading={demoSignIn.isPending && demoSignIn.variables === o.subject}
                  disabled={demoSignIn.isPending}
                  onClick={() => demoSignIn.mutate(o.subject)}
                >
                  {o.name} · {t(`role.${o.role}`)}
                </Button>
              ))}
            </SimpleGrid>
            {demoSignIn.error !== null && <ErrorNotice error={demoSignIn.error} />}
          </Paper>
        )}
        <Paper withBorder p="md" component="section" aria-labelledby="wallet-title">
          <Title order={2} size="h4" id="wallet-title">
            {t("login.walletTitle")}
          </Title>
          <Text size="sm" mb="sm">
            {t("login.walletHelp")}
          </Text>
          <Button variant="default" onClick={() => walletSignIn.mutate()} loading={walletSignIn.isPending} disabled={walletSignIn.isPending}>
            {t("login.walletSubmit")}
          </Button>
          {walletSignIn.error !== null && <ErrorNotice error={walletSignIn.error} />}
        </Paper>
        <Paper withBorder p="md" component="section" aria-labelledby="key-title">
          <Title order={2} size="h4" id="key-title" mb="sm">
            {t("login.apiKeyTitle")}
          </Title>
          <form onSubmit={form.handleSubmit((values) => keySignIn.mutate(values.apiKey))} noValidate>
            <Stack>
              <PasswordInput
                label={t("login.apiKey")}
                description={t("login.apiKeyHelp")}
                autoComplete="off"
                error={keyError === undefined ? undefined : t(`login.${keyError}`)}
                {...form.register("apiKey")}
              />
              {keySignIn.error !== null && <ErrorNotice error={keySignIn.error} />}
              <Button type="submit" loading={keySignIn.isPending}>
                {t("login.submit")}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Stack>
    </Container>
  );
}
