// Bench only (`bun --preload scripts/bench/discard-export.ts src/main.ts serve`): the span exporter's
// requests (…/v1/traces) are answered in process without being sent, so a traced gateway encodes
// its batches as usual and only the HTTP request is missing. Set against a gateway that exports for
// real (scripts/bench/tracing.ts --split), it shows what sending costs apart from recording and
// encoding. Every other fetch (the backend calls) goes out as usual.
const real = globalThis.fetch;
const discard = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.endsWith('/v1/traces')) return real(input, init);
  return Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } }));
};
globalThis.fetch = Object.assign(discard, real);
