export const disputesText = {
  en: {
    title: "Disputes and freezes",
    caption: "Disputes on lineage trees: an open or upheld dispute freezes the whole tree",
    empty: "No dispute.",
    column: { tree: "Tree (root receivable)", status: "Status", raiser: "Raised by", raisedAt: "Raised", expiresAt: "Lapses", evidence: "Evidence hash", resolve: "Resolve" },
    status: { OPEN: "Open (tree frozen)", UPHELD: "Upheld (tree frozen)", RELEASED: "Released", LAPSED: "Lapsed" },
    issuer: "Obligor: {{issuer}}",
    noEnd: "No end",
    uphold: "Uphold the dispute on {{id}}",
    release: "Release the dispute on {{id}}",
  },
  "zh-CN": {
    title: "争议与冻结",
    caption: "流转树上的争议：未决或成立的争议冻结整棵树",
    empty: "没有争议。",
    column: { tree: "流转树（根应收账款）", status: "状态", raiser: "提出方", raisedAt: "提出时间", expiresAt: "失效时间", evidence: "证据哈希", resolve: "处理" },
    status: { OPEN: "未决（整树冻结）", UPHELD: "成立（整树冻结）", RELEASED: "已解除", LAPSED: "已失效" },
    issuer: "债务人：{{issuer}}",
    noEnd: "无期限",
    uphold: "认定 {{id}} 的争议成立",
    release: "解除 {{id}} 的争议",
  },
};
