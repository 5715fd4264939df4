/**
 * What a browser downloads on the web app's first load: the files `web/dist/index.html` references (its
 * entry script, the chunks it preloads, its stylesheets), each gzip-compressed at level 9 as a server
 * would send it. Lazily loaded chunks (each role's screens, the lineage graph, charts) are listed apart.
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const FIRST_LOAD_BUDGET_BYTES = 250 * 1024;

export interface FirstLoad {
  files: { file: string; bytes: number; gzip: number }[];
  totalGzip: number;
  lazy: { file: string; gzip: number }[];
}

export function measureFirstLoad(dist: string): FirstLoad {
  const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
  const referenced = new Set<string>();
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)) referenced.add(match[1] as string);
  const sized = (file: string) => {
    const bytes = fs.readFileSync(path.join(dist, file));
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const files = [...referenced].map(sized);
  const lazy = fs
    .readdirSync(path.join(dist, "assets"))
    .map((f) => `assets/${f}`)
    .filter((f) => /\.(js|css)$/.test(f) && !referenced.has(f))
    .map((f) => ({ file: f, gzip: sized(f).gzip }));
  return { files, totalGzip: files.reduce((sum, f) => sum + f.gzip, 0), lazy };
}
