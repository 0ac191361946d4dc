// Entry point of dist/cli/cors-lens.cjs (bundled by scripts/build.mjs). All logic is in run.ts.
import { nodeIO } from "./node-io";
import { run } from "./run";

// Piping into `head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
});

run(process.argv.slice(2), nodeIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cors-lens: internal error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
    process.exitCode = 2;
  },
);
