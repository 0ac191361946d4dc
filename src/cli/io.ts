// What the CLI reads and writes through (node-io.ts is the real one; tests pass a fake), and its input bound.

/** Inputs larger than this are refused before reading (a HAR with bodies can be huge). */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  /** Reads a whole file; "-" means standard input. */
  readFile(path: string): Promise<Uint8Array | string>;
  /** File metadata, checked before reading. Optional: without it the size check happens after reading. */
  stat?(path: string): Promise<{ size: number; isDirectory?(): boolean }>;
  env?: Record<string, string | undefined>;
}
