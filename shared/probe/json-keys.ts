/**
 * Object keys a health body may not hold. JSON.parse keeps the last of duplicate keys silently
 * (`{"status":"fail","status":"pass"}` reads as pass) and schema validation copies a `__proto__` key into the
 * prototype, where it disappears (a failing check keyed `"__proto__"` would be lost): the probe refuses both.
 */

/** Why a JSON text holds an ambiguous key, or undefined. Takes text that JSON.parse has already accepted. */
export function ambiguousKey(text: string): string | undefined {
  // Hand-written: neither JSON.parse nor an installed library reports duplicate keys; the text is valid JSON,
  // so a scan of strings and brackets is enough.
  const stack: { keys?: Set<string>; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const top = stack[stack.length - 1];
    if (ch === '{') {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (ch === '[') {
      stack.push({ expectKey: false });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      if (top?.keys) top.expectKey = true;
    } else if (ch === ':') {
      if (top) top.expectKey = false;
    } else if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
      }
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (key === '__proto__') return 'reserved key "__proto__"';
        if (top.keys.has(key)) return `duplicate key ${JSON.stringify(key.slice(0, 64))}`;
        top.keys.add(key);
      }
    }
  }
  return undefined;
}
