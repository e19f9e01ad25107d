/**
 * Label matchers, with Alertmanager's semantics:
 *
 * - four operators: `=` (equal), `!=` (not equal), `=~` (regex), `!~` (negated regex);
 * - regexes are anchored at both ends (`^(?:re)$`), so `scope=~"pos"` does not match `pos-1`;
 * - an absent label reads as the empty string, so `team=""` matches alerts without `team`
 *   and `team!="ops"` matches them too.
 *
 * Pure: no I/O, no globals. Regexes use JavaScript syntax (close to Go RE2 for what matchers use).
 */
import { RE2JS } from 're2js';
import { TxmonError } from '../domain/errors.ts';

/** A label matcher, in the shape Alertmanager's API uses. */
export interface Matcher {
  name: string;
  value: string;
  /** true for `=~` / `!~`. */
  isRegex: boolean;
  /** false for `!=` / `!~`. */
  isEqual: boolean;
}

/** A matcher with its test compiled once. */
export interface CompiledMatcher extends Matcher {
  /** Tests one label value (`undefined` = label absent = ""). */
  test(value: string | undefined): boolean;
}

export type LabelSet = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OPERATORS = ['=~', '!~', '!=', '='] as const;
type Operator = (typeof OPERATORS)[number];

function configError(path: string, message: string, expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_CONFIG', `${path}: ${message}`, { field: path, expected, got });
}

/** True when `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** The operator of a matcher as text: `=`, `!=`, `=~` or `!~`. */
export function matcherOperator(m: Matcher): Operator {
  if (m.isRegex) return m.isEqual ? '=~' : '!~';
  return m.isEqual ? '=' : '!=';
}

/**
 * Renders a matcher the way Alertmanager prints it: `name="value"`, the value quoted with
 * escapes, so parse(render(m)) gives m back.
 */
export function matcherToString(m: Matcher): string {
  return `${m.name}${matcherOperator(m)}${JSON.stringify(m.value)}`;
}

/** Renders a matcher list as `{a="b",c=~"d"}` (Alertmanager's route-key form). */
export function matchersToString(ms: readonly Matcher[]): string {
  return `{${ms.map(matcherToString).join(',')}}`;
}

/** Sorts matchers by name, operator, value, so equal sets render to the same key. */
export function sortMatchers<M extends Matcher>(ms: readonly M[]): M[] {
  const op = (m: Matcher): string => matcherOperator(m);
  return [...ms].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : op(a) < op(b) ? -1 : op(a) > op(b) ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
  );
}

/** Longest regex a matcher may hold (compile time and memory stay small). */
export const MAX_REGEX_LENGTH = 1000;

/** Compiles one matcher; throws TXMON_ERR_CONFIG naming `path` when the regex is invalid. */
export function compileMatcher(m: Matcher, path = 'matcher'): CompiledMatcher {
  if (!isValidLabelName(m.name)) {
    throw configError(path, `label name ${JSON.stringify(m.name)} is invalid`, 'a label name matching [a-zA-Z_][a-zA-Z0-9_]*', m.name);
  }
  let test: (value: string | undefined) => boolean;
  if (m.isRegex) {
    if (typeof m.value !== 'string' || m.value.length > MAX_REGEX_LENGTH) {
      throw configError(path, `regex is longer than ${MAX_REGEX_LENGTH} characters`, `a regular expression of at most ${MAX_REGEX_LENGTH} characters`, String(m.value).slice(0, 60));
    }
    let re: RE2JS;
    try {
      // Anchored like Alertmanager: the whole value must match. RE2 semantics (as Alertmanager's
      // Go regexp): matching takes time linear in the value, so no pattern can stall the server.
      re = RE2JS.compile(`^(?:${m.value})$`);
    } catch (e) {
      throw configError(path, `regex ${JSON.stringify(m.value)} is invalid (${(e as Error).message})`, 'a valid RE2 regular expression (no backreferences or lookaround)', m.value);
    }
    test = m.isEqual ? (v) => re.matches(v ?? '') : (v) => !re.matches(v ?? '');
  } else {
    const want = m.value;
    test = m.isEqual ? (v) => (v ?? '') === want : (v) => (v ?? '') !== want;
  }
  return { name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual, test };
}

/** Compiles a list of matchers (path names each element, e.g. `route.matchers[2]`). */
export function compileMatchers(ms: readonly Matcher[], path = 'matchers'): CompiledMatcher[] {
  return ms.map((m, i) => compileMatcher(m, `${path}[${i}]`));
}

/** True when every matcher matches the label set (an empty list matches everything). */
export function matchesAll(ms: readonly CompiledMatcher[], labels: LabelSet): boolean {
  for (const m of ms) if (!m.test(labels[m.name])) return false;
  return true;
}

/** Reads a quoted string starting at `i` (at the opening quote); returns value and end index. */
function readQuoted(text: string, i: number, path: string): { value: string; end: number } {
  const quote = text[i];
  let out = '';
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') {
      const n = text[j + 1];
      if (n === undefined) break;
      // Known escapes are decoded; any other backslash is kept, so regexes like "pos-\d+" work.
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === '"' || n === "'" || n === '\\' ? n : `\\${n}`;
      j += 2;
      continue;
    }
    if (c === quote) return { value: out, end: j + 1 };
    out += c;
    j++;
  }
  throw configError(path, `unterminated quoted value in ${JSON.stringify(text)}`, `a value closed by ${quote}`, text);
}

/**
 * Parses one matcher from text: `severity="critical"`, `scope=~"pos-.*"`, `status!=approved`
 * (quotes optional when the value has no spaces, commas or quotes; `'` or `"` both accepted).
 * Throws TXMON_ERR_CONFIG with `path` and what was expected.
 */
export function parseMatcher(text: string, path = 'matcher'): CompiledMatcher {
  const m = parseMatcherAt(text, 0, path, false);
  return m.matcher;
}

function parseMatcherAt(text: string, start: number, path: string, inList: boolean): { matcher: CompiledMatcher; end: number } {
  const expected = 'a matcher like name="value" (operators =, !=, =~, !~)';
  let i = start;
  while (i < text.length && /\s/.test(text[i])) i++;
  const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
  if (!nameMatch) {
    throw configError(path, `expected a label name at position ${i} of ${JSON.stringify(text)}`, expected, text);
  }
  const name = nameMatch[0];
  i += name.length;
  while (i < text.length && /\s/.test(text[i])) i++;
  const op = OPERATORS.find((o) => text.startsWith(o, i));
  if (!op) {
    throw configError(path, `expected an operator (=, !=, =~, !~) after ${JSON.stringify(name)} in ${JSON.stringify(text)}`, expected, text);
  }
  i += op.length;
  while (i < text.length && /\s/.test(text[i])) i++;
  let value: string;
  if (text[i] === '"' || text[i] === "'") {
    const q = readQuoted(text, i, path);
    value = q.value;
    i = q.end;
  } else {
    // Unquoted: up to a comma/closing brace in a list, else the rest of the text.
    const stop = inList ? /[,}]/ : /$^/;
    let j = i;
    while (j < text.length && !stop.test(text[j])) j++;
    value = text.slice(i, j).trim();
    if (/["'\s]/.test(value)) {
      throw configError(path, `value ${JSON.stringify(value)} must be quoted (it contains spaces or quotes)`, expected, text);
    }
    i = j;
  }
  while (i < text.length && /\s/.test(text[i])) i++;
  if (!inList && i < text.length) {
    throw configError(path, `unexpected ${JSON.stringify(text.slice(i))} after the matcher value in ${JSON.stringify(text)}`, expected, text);
  }
  const matcher = compileMatcher({ name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' }, path);
  return { matcher, end: i };
}

/**
 * Parses a matcher list: `{a="b", c=~"d"}` or `a="b",c=~"d"` (braces optional; empty `{}` allowed).
 */
export function parseMatcherList(text: string, path = 'matchers'): CompiledMatcher[] {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw configError(path, `missing closing "}" in ${JSON.stringify(text)}`, 'a list like {a="b", c=~"d"}', text);
    s = s.slice(1, -1);
  }
  const out: CompiledMatcher[] = [];
  let i = 0;
  while (true) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const { matcher, end } = parseMatcherAt(s, i, `${path}[${out.length}]`, true);
    out.push(matcher);
    i = end;
    if (i < s.length) {
      if (s[i] !== ',') throw configError(path, `expected "," at position ${i} of ${JSON.stringify(s)}`, 'matchers separated by commas', text);
      i++;
    }
  }
  return out;
}

/**
 * Reads a matcher from config: a string (`severity="critical"`) or an object
 * `{name, value, isRegex?, isEqual?}` (isRegex defaults to false, isEqual to true).
 */
export function matcherFrom(input: unknown, path = 'matcher'): CompiledMatcher {
  if (typeof input === 'string') return parseMatcher(input, path);
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['name', 'value', 'isRegex', 'isEqual'].includes(k)) {
        throw configError(`${path}.${k}`, `unknown key ${JSON.stringify(k)}`, 'only name, value, isRegex, isEqual', k);
      }
    }
    if (typeof o.name !== 'string') throw configError(`${path}.name`, 'must be a string', 'a label name', o.name);
    if (typeof o.value !== 'string') throw configError(`${path}.value`, 'must be a string', 'a string value', o.value);
    for (const k of ['isRegex', 'isEqual'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw configError(`${path}.${k}`, 'must be a boolean', 'true or false', o[k]);
    }
    return compileMatcher({ name: o.name, value: o.value, isRegex: o.isRegex === true, isEqual: o.isEqual !== false }, path);
  }
  throw configError(path, 'must be a matcher string like severity="critical" or an object {name, value, isRegex, isEqual}', 'a string or an object', input);
}

/** Reads a list of matchers from config (each element a string or an object). */
export function matchersFrom(input: unknown, path = 'matchers'): CompiledMatcher[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw configError(path, 'must be a list of matchers', 'a list like ["severity=\\"critical\\""]', input);
  return input.map((m, i) => matcherFrom(m, `${path}[${i}]`));
}
