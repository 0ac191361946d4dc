// The real process's io for run(): files through fs, "-" through stdin, both size-capped WHILE reading:
// stat() is only a first check, since a file can grow after it, and devices, FIFOs and /proc files
// report size 0 (`cors-lens explain /dev/zero` must not eat the machine's memory).
import { fstatSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { MAX_INPUT_BYTES, type CliIO } from "./io";

const CHUNK = 1024 * 1024;

function tooBig(what: string): Error {
  return Object.assign(new Error(`${what} is too large`), { code: "ETOOBIG" });
}

/**
 * Reads a whole file, refusing it as soon as it passes `limit` bytes. The first buffer is sized from fstat,
 * so a regular file is read into one buffer (peak memory about its size, not twice it); a file that grows,
 * or reports size 0 (devices, FIFOs), continues in 1 MB chunks.
 */
export async function readFileCapped(path: string, limit: number): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const hint = (await fh.stat()).size;
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = Math.min(Math.max(hint + 1, CHUNK), limit + 1); ; size = CHUNK) {
      const buf = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await fh.read(buf, filled, size - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      total += filled;
      if (total > limit) throw tooBig(path);
      if (filled > 0) chunks.push(filled === size ? buf : buf.subarray(0, filled));
      if (filled < size) break;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

export function readStdin(limit: number, stdin: NodeJS.ReadableStream & { destroy?(): void } = process.stdin): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    stdin.on("data", (chunk: Buffer | string) => {
      if (done) return;
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      total += b.length;
      if (total > limit) {
        done = true;
        chunks.length = 0;
        stdin.destroy?.();
        reject(tooBig("standard input"));
        return;
      }
      chunks.push(b);
    });
    stdin.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    stdin.on("error", (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}

/** Standard input: a directory (`< dir`, which Node reads as empty) or a regular file over the limit is refused up front. */
function readStdinChecked(limit: number): Promise<Uint8Array> {
  try {
    const st = fstatSync(0);
    if (st.isDirectory()) return Promise.reject(Object.assign(new Error("standard input is a directory"), { code: "EISDIR" }));
    if (st.isFile() && st.size > limit) return Promise.reject(tooBig("standard input"));
  } catch {
    // No usable fd 0 (closed): let the stream report what it can.
  }
  return readStdin(limit);
}

export function nodeIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stat: (path) => stat(path),
    readFile: (path) => (path === "-" ? readStdinChecked(MAX_INPUT_BYTES) : readFileCapped(path, MAX_INPUT_BYTES)),
  };
}
