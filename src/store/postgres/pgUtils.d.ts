/** pg's own conversion of a JavaScript value to the text it sends as a parameter (no types ship for it). */
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
