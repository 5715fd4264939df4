import { Anchor, List, Paper, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useTodo } from "./todo";
import type { Me } from "./auth";
import { ErrorNotice } from "./ErrorNotice";

/** What waits for this organisation: offers to sign for, invoices to confirm, requests to quote, maturities to redeem. */
export function TodoList({ me }: { me: Me }) {
  const { t } = useTranslation("app");
  const todo = useTodo(me);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="todo-title">
      <Title order={2} size="h3" id="todo-title" mb="sm">
        {t("todo.title")}
      </Title>
      {todo.error !== null && <ErrorNotice error={todo.error} />}
      {todo.items === undefined ? (
        <Text>{t("loading")}</Text>
      ) : todo.items.length === 0 ? (
        <Text>{t("todo.empty")}</Text>
      ) : (
        <List spacing="xs">
          {todo.items.map((item) => (
            <List.Item key={item.kind}>
              {item.to === undefined ? (
                t(`todo.${item.kind}`, { count: item.count })
              ) : (
                <Anchor component={Link} to={item.to}>
                  {t(`todo.${item.kind}`, { count: item.count })}
                </Anchor>
              )}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
  );
}
