export const invoicesText = {
  en: {
    title: "Invoices to confirm",
    empty: "No invoice waits for your confirmation.",
    card: {
      title: "Invoice {{number}} from {{supplier}}",
      due: "due {{date}}",
      hash: "Invoice hash",
      documentMatches: "document uploaded; the server checked that its hash is the invoice hash",
      noDocument: "no document uploaded",
      confirm: "Confirm",
      confirmOne: "Confirm invoice {{number}}",
      reason: "Reason for rejecting",
      reasonRequired: "Give a reason to reject",
      reject: "Reject",
    },
  },
  "zh-CN": {
    title: "待确权的发票",
    empty: "没有等待您确权的发票。",
    card: {
      title: "{{supplier}} 的发票 {{number}}",
      due: "{{date}} 到期",
      hash: "发票哈希",
      documentMatches: "已上传单据；服务器已核对其哈希与发票哈希一致",
      noDocument: "未上传单据",
      confirm: "确权",
      confirmOne: "确权发票 {{number}}",
      reason: "拒绝理由",
      reasonRequired: "拒绝时请填写理由",
      reject: "拒绝",
    },
  },
};
