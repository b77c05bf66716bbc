/**
 * Syntax as plain data, for comparisons. A scanned instruction makes its ranges, arguments and
 * flags on first read (server/src/model/scanInstruction.ts), as getters that a deep equality
 * does not read: compare syntax through its JSON (`toJSON`), which reads every field.
 */
export function plain(x: unknown): unknown {
  return x === undefined ? undefined : (JSON.parse(JSON.stringify(x)) as unknown);
}
