export const chainText = {
  en: {
    status: "Chain status",
    head: "Head block {{block}}",
    indexed: "Indexed {{block}}",
    lag: "{{count}} blocks behind",
    inSync: "In sync",
    time: "Chain time {{time}}",
    unknown: "Chain status unavailable",
  },
  "zh-CN": {
    status: "链状态",
    head: "最新区块 {{block}}",
    indexed: "已索引 {{block}}",
    lag: "落后 {{count}} 个区块",
    inSync: "已同步",
    time: "链上时间 {{time}}",
    unknown: "无法获取链状态",
  },
};
