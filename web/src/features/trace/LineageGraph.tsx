/**
 * A lineage tree drawn as a graph: the confirmed invoice at the top, every part the caller may see below
 * it, each edge a split. Loaded lazily (React Flow and its stylesheet stay out of the first load).
 * Draws only what the trace answered: a node on the path to the caller's parts shows no holder or status,
 * because the API does not send them.
 */
import "@xyflow/react/dist/style.css";
import { Anchor, Badge, Group, Text } from "@mantine/core";
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { shortAddress } from "../../lib/dates";
import { Amount } from "../currencies/Amount";
import { STATUS_COLOR } from "../receivables/HoldingsPage";
import type { Trace, TraceNode } from "./api";
import { INVOICE_NODE, layoutLineage, NODE_HEIGHT, NODE_WIDTH } from "./layout";

type PartData = { part: TraceNode; current: boolean; openable: boolean; holderLabel: string | null; wholeTree: boolean };
type InvoiceData = { invoice: Trace["invoice"]; obligorLabel: string };

const frame = (current: boolean) => ({
  width: NODE_WIDTH,
  minHeight: NODE_HEIGHT,
  padding: 8,
  borderRadius: 6,
  border: current ? "3px solid var(--mantine-color-blue-8)" : "1px solid var(--mantine-color-gray-6)",
  background: "var(--mantine-color-body)",
});

function PartNode({ data }: NodeProps<Node<PartData>>) {
  const { t } = useTranslation("trace");
  const { part, current, openable, holderLabel, wholeTree } = data;
  return (
    <div style={frame(current)} aria-current={current ? "true" : undefined}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <Group justify="space-between" gap={4} wrap="nowrap">
        {openable && !current ? (
          <Anchor component={Link} to={`/receivables/${part.id}`} size="sm" fw={600} className="nodrag">
            {part.id}
          </Anchor>
        ) : (
          <Text size="sm" fw={600}>
            {part.id}
          </Text>
        )}
        {!wholeTree && (
          <Badge size="xs" variant="outline" color="dark">
            {t(`visibility.${part.visibility}`)}
          </Badge>
        )}
      </Group>
      <Text size="sm">
        <Amount value={part.amount} currency={part.currency} />
      </Text>
      <Text size="xs">{holderLabel === null ? t("node.holderHidden") : t("node.holder", { holder: holderLabel })}</Text>
      {part.status !== null && (
        <Badge size="xs" variant="filled" color={STATUS_COLOR[part.status]}>
          {t(`status.${part.status}`)}
        </Badge>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function InvoiceNode({ data }: NodeProps<Node<InvoiceData>>) {
  const { t } = useTranslation("trace");
  const { invoice, obligorLabel } = data;
  return (
    <div style={{ ...frame(false), borderStyle: "double", borderWidth: 4 }}>
      <Text size="sm" fw={700}>
        {t("node.invoice")}
      </Text>
      <Text size="xs" title={invoice.invoiceHash} style={{ wordBreak: "break-all" }}>
        {shortAddress(invoice.invoiceHash)}
      </Text>
      <Text size="sm">
        <Amount value={invoice.faceAmount} currency={invoice.currency} />
      </Text>
      <Text size="xs">{t("node.obligor", { obligor: obligorLabel })}</Text>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES = { part: PartNode, invoice: InvoiceNode };

export interface LineageGraphProps {
  trace: Trace;
  /** Whether the caller can open a part's own page (the API would answer it rather than "not found"). */
  canOpen: (part: TraceNode) => boolean;
  label: (address: string) => string;
  height?: number;
}

export function LineageGraph({ trace, canOpen, label, height = 420 }: LineageGraphProps) {
  const { t } = useTranslation("trace");
  const navigate = useNavigate();
  const { nodes, edges } = useMemo(() => {
    const { placed, invoice } = layoutLineage(trace.nodes);
    const nodes: Node[] = [
      {
        id: INVOICE_NODE,
        type: "invoice",
        position: invoice,
        data: { invoice: trace.invoice, obligorLabel: label(trace.invoice.issuer) } satisfies InvoiceData,
        ariaLabel: t("node.invoiceLabel", { hash: trace.invoice.invoiceHash }),
      },
      ...placed.map(({ node, x, y }) => ({
        id: node.id,
        type: "part",
        position: { x, y },
        data: {
          part: node,
          current: node.id === trace.receivableId,
          openable: canOpen(node),
          holderLabel: node.holder === null ? null : label(node.holder),
          wholeTree: trace.scope === "TREE",
        } satisfies PartData,
        ariaLabel: t("node.partLabel", { id: node.id }),
      })),
    ];
    const edges: Edge[] = placed.map(({ node, parent }) => ({
      id: `${parent}-${node.id}`,
      source: parent,
      target: node.id,
      type: "smoothstep",
      ariaLabel: parent === INVOICE_NODE ? t("edge.confirmed", { id: node.id }) : t("edge.split", { parent, id: node.id }),
    }));
    return { nodes, edges };
  }, [trace, canOpen, label, t]);

  const ariaLabelConfig = useMemo(
    () => ({
      "node.a11yDescription.default": t("a11y.node"),
      "node.a11yDescription.keyboardDisabled": t("a11y.node"),
      "edge.a11yDescription.default": t("a11y.edge"),
      "controls.ariaLabel": t("a11y.controls"),
      "controls.zoomIn.ariaLabel": t("a11y.zoomIn"),
      "controls.zoomOut.ariaLabel": t("a11y.zoomOut"),
      "controls.fitView.ariaLabel": t("a11y.fitView"),
      "controls.interactive.ariaLabel": t("a11y.interactive"),
    }),
    [t],
  );

  return (
    <div style={{ height, width: "100%" }} aria-label={t("graphLabel", { count: trace.nodes.length })} role="region">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        // Clicking a part opens it (a node without a click handler would not take pointer events at all,
        // its link included); the keyboard reaches the same page through the node's link.
        onNodeClick={(_event, node) => {
          const data = node.data as Partial<PartData>;
          if (data.openable === true && data.current !== true) void navigate(`/receivables/${node.id}`);
        }}
        fitView
        fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
        minZoom={0.05}
        ariaLabelConfig={ariaLabelConfig}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
