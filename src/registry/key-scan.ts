// A fast count of the mapping keys a YAML text declares, for unique-keys.ts: one pass over the
// characters of the block and flow YAML that tool files (and the importer) are written in. It counts
// as the yaml lexer's tokens do (a key is a `:` indicator, or a flow-map entry without one) and answers
// undefined for anything else: anchors, aliases, tags, explicit keys, directives, second documents,
// tabs, carriage returns, and any line it cannot place. A count below the truth could hide a duplicate, so every
// construct whose extent is unsure is refused rather than skipped.

const MAX_IMPLICIT_KEY = 1024; // the yaml parser refuses a longer implicit key; Bun.YAML does not
const SPACE = 32;
const LF = 10;
const TAB = 9;

interface Flow {
  readonly map: boolean;
  content: boolean;
  colon: boolean;
}

const isFlowIndicator = (c: number) => c === 44 || c === 91 || c === 93 || c === 123 || c === 125; // , [ ] { }
// a node may not start with these in the YAML this scanner reads: ? & * ! % @ `
const isRefused = (c: number) => c === 63 || c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96;

/** Keys the text declares, or undefined when this scanner cannot tell (unique-keys.ts then lexes it). */
export function scanKeys(text: string): number | undefined {
  if (text.includes('\r')) return undefined;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let keys = 0;
  let content = false;
  /** Block scalar being skipped: the indentation its lines must exceed, and that of its first line. */
  let blockParent = -1;
  let blockIndent = -1;
  /** A plain scalar that may continue on more indented lines: the indentation they must exceed. */
  let plainParent = -1;

  const eol = (c: number) => c === LF || Number.isNaN(c);
  const skipSpaces = () => {
    while (text.charCodeAt(i) === SPACE) i++;
  };
  // after a node: spaces, then a comment or the end of the line; false when anything else follows
  const lineEnds = (): boolean => {
    skipSpaces();
    if (text.charCodeAt(i) === 35) while (i < n && text.charCodeAt(i) !== LF) i++;
    return eol(text.charCodeAt(i));
  };
  const toNextLine = () => {
    while (i < n && text.charCodeAt(i) !== LF) i++;
    i++;
  };
  // a quoted scalar from its opening quote; false when it never closes
  const quoted = (): boolean => {
    const q = text.charCodeAt(i++);
    while (i < n) {
      const c = text.charCodeAt(i++);
      if (q === 34 && c === 92) i++;
      else if (c === q) {
        if (q === 39 && text.charCodeAt(i) === 39) i++;
        else return true;
      }
    }
    return false;
  };
  const spansLines = (from: number) => text.indexOf('\n', from) !== -1 && text.indexOf('\n', from) < i;

  // a flow collection from its opening bracket to its closing one; false when refused
  const flow = (): boolean => {
    const flows: Flow[] = [];
    let afterQuoted = false;
    let lastLength = 0;
    const entryEnds = () => {
      const f = flows[flows.length - 1]!;
      if (f.map && f.content && !f.colon) keys++;
      f.content = false;
      f.colon = false;
    };
    const sawContent = () => {
      content = true;
      flows[flows.length - 1]!.content = true;
    };
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === LF) {
        i++;
        if (text.charCodeAt(i) === 35) while (i < n && text.charCodeAt(i) !== LF) i++;
        continue;
      }
      if (c === TAB) return false;
      if (c === 123 || c === 91) {
        if (flows.length) sawContent();
        flows.push({ map: c === 123, content: false, colon: false });
        afterQuoted = false;
        i++;
        continue;
      }
      if (c === 125 || c === 93) {
        const f = flows[flows.length - 1];
        if (!f || f.map !== (c === 125)) return false;
        entryEnds();
        flows.pop();
        i++;
        afterQuoted = false;
        if (!flows.length) return true;
        continue;
      }
      if (c === 44) {
        entryEnds();
        afterQuoted = false;
        i++;
        continue;
      }
      const next = text.charCodeAt(i + 1);
      if (c === 58 && (afterQuoted || next === SPACE || next === LF || isFlowIndicator(next))) {
        if (lastLength > MAX_IMPLICIT_KEY) return false;
        keys++;
        flows[flows.length - 1]!.colon = true;
        afterQuoted = false;
        i++;
        continue;
      }
      if (c === 34 || c === 39) {
        const start = i;
        if (!quoted()) return false;
        lastLength = i - start;
        sawContent();
        afterQuoted = true;
        continue;
      }
      if (isRefused(c) || c === 124 || c === 62 || c === 35 || (c === 45 && (next === SPACE || next === LF)) || c === 58) return false;
      // a plain scalar: up to a flow indicator, a `: `-like indicator or a comment
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isFlowIndicator(d) || d === LF || d === TAB) break;
        const e = text.charCodeAt(i + 1);
        if (d === 58 && (e === SPACE || e === LF || isFlowIndicator(e) || Number.isNaN(e))) break;
        if (d === SPACE && e === 35) break;
        i++;
      }
      lastLength = i - start;
      sawContent();
      afterQuoted = false;
    }
    return false;
  };

  // the value after a block key's `:` (owner: the key's column)
  const value = (owner: number): boolean => {
    skipSpaces();
    const c = text.charCodeAt(i);
    if (eol(c) || c === 35) return lineEnds();
    if (c === 34 || c === 39) return quoted() && lineEnds();
    if (c === 123 || c === 91) return flow() && lineEnds();
    if (c === 124 || c === 62) return blockScalar(owner);
    if (isRefused(c) || (c === 45 && (text.charCodeAt(i + 1) === SPACE || eol(text.charCodeAt(i + 1))))) return false;
    // a plain scalar: no `: ` in it (that would be a mapping on the key's line)
    while (!eol(text.charCodeAt(i))) {
      const d = text.charCodeAt(i);
      const e = text.charCodeAt(i + 1);
      if (d === TAB) return false;
      if (d === SPACE && e === 35) break;
      if (d === 58 && (e === SPACE || eol(e))) return false;
      i++;
    }
    plainParent = owner;
    return lineEnds();
  };
  const blockScalar = (owner: number): boolean => {
    i++;
    let indicator = 0; // an explicit indentation: the content's lines sit that far past the owner's column
    for (let c = text.charCodeAt(i); c === 43 || c === 45 || (c >= 49 && c <= 57); c = text.charCodeAt(++i))
      if (c >= 49) indicator = c - 48;
    const c = text.charCodeAt(i);
    if (!(c === SPACE || eol(c))) return false;
    blockParent = owner;
    blockIndent = indicator ? owner + indicator : -1;
    content = true;
    return lineEnds();
  };

  while (i < n) {
    // one line of block context
    const lineStart = i;
    skipSpaces();
    const indent = i - lineStart;
    const c = text.charCodeAt(i);
    if (eol(c)) {
      toNextLine();
      continue;
    }
    if (blockParent >= 0) {
      if (indent > blockParent) {
        if (blockIndent < 0) blockIndent = indent;
        else if (indent < blockIndent) return undefined;
        toNextLine();
        continue;
      }
      blockParent = -1;
    }
    if (c === TAB) return undefined;
    if (plainParent >= 0) {
      const parent = plainParent;
      plainParent = -1;
      if (indent > parent) {
        // a continuation line of the plain scalar: text only
        while (!eol(text.charCodeAt(i))) {
          const d = text.charCodeAt(i);
          if (d === 58 || d === 35 || d === TAB) return undefined;
          i++;
        }
        plainParent = parent;
        toNextLine();
        continue;
      }
    }
    if (c === 35) {
      toNextLine();
      continue;
    }
    if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i) || c === 37)) {
      if (content || c !== 45) return undefined; // a second document, an end marker, a directive
      i += 3;
      if (!lineEnds()) return undefined;
      i++;
      continue;
    }
    // sequence entries: `- ` (or a `-` ending the line), each opening a node one column further
    let col = indent;
    let owner = -1;
    while (text.charCodeAt(i) === 45 && (text.charCodeAt(i + 1) === SPACE || eol(text.charCodeAt(i + 1)))) {
      content = true;
      owner = col;
      i++;
      skipSpaces();
      col = i - lineStart;
    }
    const d = text.charCodeAt(i);
    if (d === TAB) return undefined;
    if (eol(d) || d === 35) {
      if (!lineEnds()) return undefined;
      i++;
      continue;
    }
    content = true;
    let ok: boolean;
    if (d === 34 || d === 39) {
      const from = i;
      if (!quoted()) return undefined;
      skipSpaces();
      if (text.charCodeAt(i) === 58 && (text.charCodeAt(i + 1) === SPACE || eol(text.charCodeAt(i + 1)))) {
        if (spansLines(from) || i - from > MAX_IMPLICIT_KEY) return undefined;
        keys++;
        i++;
        ok = value(col);
      } else ok = lineEnds();
    } else if (d === 123 || d === 91) {
      ok = flow();
      skipSpaces();
      if (text.charCodeAt(i) === 58) return undefined; // a flow collection as a key
      ok &&= lineEnds();
    } else if (d === 124 || d === 62) {
      if (owner < 0) return undefined;
      ok = blockScalar(owner);
    } else if (isRefused(d) || d === 58) {
      return undefined;
    } else {
      // a plain scalar (a `-` here is one, as in -x: `- ` was taken above): a key when a `: ` ends it on this line
      const start = i;
      let key = false;
      while (!eol(text.charCodeAt(i))) {
        const e = text.charCodeAt(i);
        const f = text.charCodeAt(i + 1);
        if (e === TAB) return undefined;
        if (e === SPACE && f === 35) break;
        if (e === 58 && (f === SPACE || eol(f))) {
          key = true;
          break;
        }
        i++;
      }
      if (key) {
        if (i - start > MAX_IMPLICIT_KEY) return undefined;
        keys++;
        i++;
        ok = value(col);
      } else {
        if (owner < 0) return undefined; // a document that is one scalar
        plainParent = owner;
        ok = lineEnds();
      }
    }
    if (!ok) return undefined;
    i++;
  }
  return keys;
}
