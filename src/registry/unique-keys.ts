// A proof, from YAML's tokens, that a file has no duplicate mapping keys, so `nexus check` can take the
// parse `serve` takes (Bun.YAML, which keeps the last of two equal keys) instead of the position-keeping
// parser, 5x slower on an imported API's 6 MB file.
//
// Every key of every mapping in the text is one `:` token, or a flow-map entry with no `:` ({a, b}).
// Bun.YAML's value has as many keys only when no key repeated: a duplicate leaves one key fewer. Aliases,
// tags, explicit keys (?), directives and second documents can add or change keys the tokens do not show,
// so they answer "cannot tell" (false), and the caller parses precisely, as before. key-scan.ts counts
// the same keys from the characters, ~10x faster (GitHub's import: 0.13 s, the lexer 1.4 s); the lexer
// decides only where the scan cannot tell or its count differs.
import { scanKeys } from './key-scan.ts';
import type { JsonObject } from './spec.ts';

let lexerClass: typeof import('yaml').Lexer | undefined;
const Lexer = () => (lexerClass ??= (require('yaml') as typeof import('yaml')).Lexer);

const SCALAR = '\x1f';
const DOC_MODE = '\x02';
const BOM = '\ufeff';
// the yaml parser refuses an implicit key longer than this; Bun.YAML does not
const MAX_IMPLICIT_KEY = 1024;

interface Flow {
  readonly map: boolean;
  content: boolean;
  colon: boolean;
}

/** Keys the text declares, or undefined when the tokens cannot tell. */
export function keysInText(text: string): number | undefined {
  let keys = 0;
  let content = false;
  let lastLength = 0;
  let scalarNext = false;
  const flows: Flow[] = [];
  const entryEnds = (): boolean => {
    const f = flows[flows.length - 1];
    if (!f) return false;
    if (f.map && f.content && !f.colon) keys++;
    f.content = false;
    f.colon = false;
    return true;
  };
  const sawContent = (length: number) => {
    content = true;
    lastLength = length;
    const f = flows[flows.length - 1];
    if (f) f.content = true;
  };
  for (const t of new (Lexer())().lex(text)) {
    if (scalarNext) {
      scalarNext = false;
      sawContent(t.length);
      continue;
    }
    switch (t) {
      case SCALAR:
        scalarNext = true;
        continue;
      case DOC_MODE:
      case BOM:
      case '':
      case '\n':
      case '\r\n':
      case '-':
        continue;
      case '---':
        if (content) return undefined; // a second document
        continue;
      case ':':
        if (lastLength > MAX_IMPLICIT_KEY) return undefined;
        keys++;
        if (flows.length) flows[flows.length - 1]!.colon = true;
        continue;
      case '{':
      case '[':
        sawContent(1);
        flows.push({ map: t === '{', content: false, colon: false });
        continue;
      case '}':
      case ']':
        if (!entryEnds()) return undefined;
        flows.pop();
        continue;
      case ',':
        if (!entryEnds()) return undefined;
        continue;
    }
    switch (t[0]) {
      case ' ':
      case '\t':
      case '#':
      case '&':
        continue;
      case '"':
      case "'":
      case '|':
      case '>':
        sawContent(t.length);
        continue;
    }
    return undefined; // ? * ! % ... or anything unforeseen
  }
  return flows.length ? undefined : keys;
}

function keysInValue(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    for (const k in v as JsonObject) {
      keys++;
      stack.push((v as JsonObject)[k]);
    }
  }
  return keys;
}

/** True when `text` certainly has no duplicate keys; `value` is its parse (Bun.YAML). */
export function hasUniqueKeys(text: string, value: unknown): boolean {
  const inValue = keysInValue(value);
  // the character scan proves most files 10x faster; the lexer decides what it cannot tell
  return scanKeys(text) === inValue || keysInText(text) === inValue;
}
