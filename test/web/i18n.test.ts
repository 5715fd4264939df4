/**
 * Every word of the web app exists in both languages: each namespace has the same keys in en and zh-CN,
 * no value is empty, and every literal key the source code asks for (`t("...")` with `useTranslation("ns")`)
 * exists. Keys built at run time (`status.${...}`) are checked in the browser, where a missing key logs
 * a console error that the browser tests fail on.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { NAMESPACES } from "../../web/src/app/i18nResources";

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "string") out.set(full, value);
    else for (const [k, v] of leaves(value, full)) out.set(k, v);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** i18next's plural forms: `count_one`/`count_other` answer to `t("count", { count })`. */
const baseKey = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");

describe("web app: translations", function () {
  const namespaces = NAMESPACES as unknown as Record<string, { en: Tree; "zh-CN": Tree }>;

  it("has the same keys in English and Chinese in every namespace, none empty", function () {
    for (const [ns, text] of Object.entries(namespaces)) {
      const en = leaves(text.en);
      const zh = leaves(text["zh-CN"]);
      expect([...zh.keys()].sort(), `zh-CN keys of ${ns}`).to.deep.equal([...en.keys()].sort());
      for (const [key, value] of [...en, ...zh]) expect(value.trim(), `${ns}:${key}`).to.not.equal("");
    }
  });

  it("has every key the source code asks for, in both languages", function () {
    const root = path.join(__dirname, "..", "..", "web", "src");
    let checked = 0;
    for (const file of sourceFiles(root)) {
      const source = fs.readFileSync(file, "utf8");
      const ns = /useTranslation\("([a-z]+)"\)/.exec(source)?.[1];
      if (ns === undefined) continue;
      for (const match of source.matchAll(/\bt\("([A-Za-z0-9_.]+)"/g)) {
        const key = match[1] as string;
        for (const language of ["en", "zh-CN"] as const) {
          const keys = new Set([...leaves(namespaces[ns]![language]).keys()].map(baseKey));
          expect(keys.has(key), `${path.relative(root, file)}: ${ns}:${key} in ${language}`).to.equal(true);
        }
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(30);
  });
});
