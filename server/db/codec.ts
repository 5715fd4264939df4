/**
 * The one row codec: a value as a database driver returns it (SQLite gives numbers, bigints and 0/1;
 * PostgreSQL strings and booleans) turned into the TypeScript value its column stands for. Reading only:
 * nothing here writes, and nothing here knows a table.
 */

/** A uint256 / bigint column (stored as exact decimal text, integer or bigint). */
export const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(v as string | number));
/** A small integer column (block numbers, counts, timestamps in ms). */
export const num = (v: unknown): number => Number(v);
/** A boolean column: SQLite stores 0/1, PostgreSQL booleans. */
export const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t" || v === 1n;
/** A text column (numbers and bigints are written out in decimal). */
export const str = (v: unknown): string => {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return v.toString();
  throw new TypeError(`codec: expected a text value, got ${typeof v}`);
};
/** A nullable text column. */
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));
/** A nullable small integer column. */
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
