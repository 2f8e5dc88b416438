/**
 * Tweet ids are decimal strings of at most 20 digits, strictly increasing (docs: API.md), so
 * they compare by length first and then as text, without parsing them into numbers.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The larger of two ids; `null` counts as smaller than any id. */
export function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareIds(a, b) >= 0 ? a : b;
}
