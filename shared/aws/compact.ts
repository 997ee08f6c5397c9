/** Drops keys whose value is undefined, so adapter results compare, serialise and log cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
