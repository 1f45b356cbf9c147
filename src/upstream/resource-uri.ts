// A server's resource URIs as Nexus serves them. Without `resource_prefix` they are the upstream's own;
// with it, `<prefix>+<uri>` (`file:///x` -> `docs+file:///x`, scheme `docs+file`: still a URI), the
// same whatever other servers are configured. A read strips the prefix; the URIs inside what the
// server answers (resource links and embedded resources in tool results and prompts, the contents
// of a read) are given it, so a client can read back every URI it is shown.

/** The URI a client sees for the upstream's `uri`. */
export const servedUri = (prefix: string | undefined, uri: string) => (prefix === undefined ? uri : `${prefix}+${uri}`);

/** The upstream's URI for a served one; undefined when `uri` is not in this prefix. */
export function upstreamUri(prefix: string | undefined, uri: string): string | undefined {
  if (prefix === undefined) return uri;
  return uri.startsWith(`${prefix}+`) ? uri.slice(prefix.length + 1) : undefined;
}

type Block = { type?: unknown; uri?: unknown; resource?: { uri?: unknown } };

/** One content block with its resource URI served (other blocks as they are). */
export function servedBlock<T>(prefix: string | undefined, block: T): T {
  const b = block as Block;
  if (prefix === undefined || !b || typeof b !== 'object') return block;
  if (b.type === 'resource_link' && typeof b.uri === 'string') return { ...b, uri: servedUri(prefix, b.uri) } as T;
  if (b.type === 'resource' && b.resource && typeof b.resource.uri === 'string')
    return { ...b, resource: { ...b.resource, uri: servedUri(prefix, b.resource.uri) } } as T;
  return block;
}

/** A tool result's content blocks with their resource URIs served. */
export function servedContent<T extends { content?: unknown }>(prefix: string | undefined, result: T): T {
  if (prefix === undefined || !Array.isArray(result.content)) return result;
  return { ...result, content: result.content.map((b) => servedBlock(prefix, b)) };
}

/** A prompts/get answer with the resource URIs of its messages served. */
export function servedPrompt<T extends { messages?: unknown }>(prefix: string | undefined, result: T): T {
  if (prefix === undefined || !Array.isArray(result.messages)) return result;
  const messages = result.messages.map((m: { content?: unknown }) => ({
    ...m,
    content: Array.isArray(m.content) ? m.content.map((b) => servedBlock(prefix, b)) : servedBlock(prefix, m.content),
  }));
  return { ...result, messages };
}

/** A resources/read answer with the URIs of its contents served. */
export function servedRead<T extends { contents?: unknown }>(prefix: string | undefined, result: T): T {
  if (prefix === undefined || !Array.isArray(result.contents)) return result;
  const contents = result.contents.map((c: { uri?: unknown }) => (typeof c.uri === 'string' ? { ...c, uri: servedUri(prefix, c.uri) } : c));
  return { ...result, contents };
}
