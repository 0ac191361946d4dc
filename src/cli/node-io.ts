// The real process's io for run(): files through fs, "-" through stdin (size-capped while reading).
import { readFile, stat } from "node:fs/promises";
import type { CliIO } from "./run";
import { MAX_INPUT_BYTES } from "./run";

function readStdin(limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stdin = process.stdin;
    stdin.on("data", (chunk: Buffer | string) => {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      total += b.length;
      if (total > limit) {
        stdin.destroy();
        reject(Object.assign(new Error("standard input is too large"), { code: "ETOOBIG" }));
        return;
      }
      chunks.push(b);
    });
    stdin.on("end", () => resolve(Buffer.concat(chunks)));
    stdin.on("error", reject);
  });
}

export function nodeIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stat: (path) => stat(path),
    readFile: (path) => (path === "-" ? readStdin(MAX_INPUT_BYTES) : readFile(path)),
  };
}
