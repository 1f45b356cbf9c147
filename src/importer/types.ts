// The shapes the importer reads a document into (OpenAPI 3.x and Swagger 2.0 alike).

import type { JsonRecord } from '../util/json.ts';
import type { RefIssue } from './refs.ts';

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly description?: string;
  readonly schema?: unknown;
  /** Media types of a `content` parameter (instead of `schema`). */
  readonly content?: JsonRecord;
  readonly style?: string;
  readonly explode?: boolean;
  /** Swagger 2.0 array serialisation (csv, multi, ...). */
  readonly collectionFormat?: string;
}

/** How one property of a form or multipart body is serialised (the media type's `encoding` entry). */
export interface PropertyEncoding {
  readonly style?: string;
  readonly explode?: boolean;
  readonly contentType?: string;
}

export interface RequestBody {
  readonly required: boolean;
  readonly description?: string;
  /** media type -> schema (undefined when the media type has none) */
  readonly content: Readonly<Record<string, unknown>>;
  /** media type -> property -> encoding, for form and multipart bodies */
  readonly encoding?: Readonly<Record<string, Readonly<Record<string, PropertyEncoding>>>>;
}

/** A security requirement: scheme name -> scopes. `{}` means anonymous access. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface Operation {
  readonly method: string;
  readonly path: string;
  /** operationId, else `GET /path`: how messages name it. */
  readonly label: string;
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly deprecated: boolean;
  readonly tags: readonly string[];
  readonly parameters: readonly Parameter[];
  readonly body?: RequestBody;
  /** status -> media type -> schema */
  readonly responses: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Own security; undefined inherits the document's. */
  readonly security?: readonly SecurityRequirement[];
  readonly servers: readonly string[];
  readonly hasCallbacks: boolean;
  readonly refIssues: readonly RefIssue[];
  /** A parameter that could not be read (no name or location): the operation cannot be built. */
  readonly broken?: string;
}
