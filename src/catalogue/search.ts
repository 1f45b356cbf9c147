// Ranked text search over a catalogue (names, titles, descriptions, parameter names), for progressive
// discovery. BM25 with light stemming; no external service. Built once per tool set and memoised.

export interface SearchDoc {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly parameters: readonly string[];
}

export interface SearchHit {
  readonly name: string;
  readonly score: number;
}

const STOP = new Set('a an and are as at be by for from get in into is it of on or the to with this that via your you'.split(' '));

/** Splits names (snake, kebab, camel, dots) and prose into lower-case stems. */
export function tokens(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1 && !STOP.has(t))
    .map(stem);
}

function stem(t: string): string {
  if (t.length > 4 && t.endsWith('ies')) return `${t.slice(0, -3)}y`;
  if (t.length > 3 && t.endsWith('es') && /(ss|x|ch|sh)es$/.test(t)) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith('s') && !t.endsWith('ss')) return t.slice(0, -1);
  return t;
}

// Field weights: a word in the name says more than one in the description.
const WEIGHTS = { name: 3, title: 2, parameters: 1, description: 1 } as const;
const K1 = 1.2;
const B = 0.75;

export interface SearchIndex {
  search(query: string, limit: number): SearchHit[];
  readonly size: number;
}

export function buildSearchIndex(docs: readonly SearchDoc[]): SearchIndex {
  const termFreqs: Map<string, number>[] = [];
  const lengths: number[] = [];
  const docFreq = new Map<string, number>();
  for (const d of docs) {
    const tf = new Map<string, number>();
    let len = 0;
    const add = (text: string, w: number) => {
      for (const t of tokens(text)) {
        tf.set(t, (tf.get(t) ?? 0) + w);
        len += w;
      }
    };
    add(d.name, WEIGHTS.name);
    if (d.title) add(d.title, WEIGHTS.title);
    add(d.parameters.join(' '), WEIGHTS.parameters);
    add(d.description, WEIGHTS.description);
    for (const t of tf.keys()) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
    termFreqs.push(tf);
    lengths.push(len);
  }
  const avg = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const n = docs.length;
  const idf = (t: string) => {
    const df = docFreq.get(t) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  return {
    size: n,
    search(query, limit) {
      const q = [...new Set(tokens(query))];
      if (!q.length) return [];
      const hits: SearchHit[] = [];
      for (let i = 0; i < n; i++) {
        const tf = termFreqs[i]!;
        let score = 0;
        let matched = 0;
        for (const t of q) {
          const f = tf.get(t);
          if (!f) continue;
          matched++;
          score += (idf(t) * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * lengths[i]!) / avg));
        }
        // documents matching more of the query's words come first among equals
        if (score > 0) hits.push({ name: docs[i]!.name, score: score * (1 + matched / q.length) });
      }
      hits.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
      return hits.slice(0, limit);
    },
  };
}
