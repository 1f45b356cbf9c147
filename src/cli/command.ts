// Every CLI command has this shape; src/cli/index.ts routes argv to one (its one-line summary lives there).
export interface CommandIO {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads all of standard input (secrets come from here, never argv). */
  readonly stdin: () => Promise<string>;
}

export interface Command {
  /** Words after `nexus`, e.g. `vault put` or `serve`. */
  readonly name: string;
  /** Full `--help` text: usage line, flags with their env vars and defaults, an example. */
  readonly help: string;
  /** Resolves to the process exit code. Throws NexusError for user mistakes (printed without a stack). */
  run(io: CommandIO): Promise<number>;
}
