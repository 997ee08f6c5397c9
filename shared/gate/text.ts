/**
 * Bounding of text the gate carries or prints: control characters and lone surrogates are replaced, so a
 * clipped string's JSON is at most three bytes per character (the state's size bound relies on it).
 */

// Hand-written: two replacements do not justify a dependency.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with control characters as spaces and lone surrogates as U+FFFD. */
export function sanitise(text: string): string {
  return text.replace(CONTROL, ' ').replace(LONE_SURROGATE, '\ufffd');
}

/** At most `max` UTF-16 units; a clipped text ends with `…` and never with half a surrogate pair. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : truncate(text, max - 1);
}

/** The first `keep` UTF-16 units followed by `…` (a half surrogate pair at the cut becomes U+FFFD). */
export function truncate(text: string, keep: number): string {
  return `${text.slice(0, Math.max(0, keep)).replace(LONE_SURROGATE, '\ufffd')}…`;
}
