// Server fixes: one CORS policy computed from the diagnosis and the exchange, rendered for each stack.
// generate() is pure, deterministic and total: it never throws, whatever the input.
import type { Diagnosis, Exchange, Fix, Stack } from "../types";
import { clientFix } from "./client";
import { display } from "./escape";
import { codeNotes, serverErrorNotes, stageNotes, warningNotes } from "./notes";
import { computePolicy, type Policy, type Rendered } from "./policy";
import { apache } from "./stacks/apache";
import { aspnet } from "./stacks/aspnet";
import { caddy } from "./stacks/caddy";
import { cloudflare } from "./stacks/cloudflare";
import { django } from "./stacks/django";
import { express } from "./stacks/express";
import { fastapi } from "./stacks/fastapi";
import { fastify } from "./stacks/fastify";
import { flask } from "./stacks/flask";
import { go } from "./stacks/go";
import { koa } from "./stacks/koa";
import { nextjs } from "./stacks/nextjs";
import { nginx } from "./stacks/nginx";
import { rails } from "./stacks/rails";
import { spring } from "./stacks/spring";

export { clientFix } from "./client";
export { isStack, STACKS } from "./stack-list";
import { isStack, STACKS, type StackInfo } from "./stack-list";

const RENDERERS: Record<Stack, (p: Policy) => Rendered> = {
  express, fastify, koa, nextjs, nginx, apache, caddy, flask, django, fastapi, spring, aspnet, go, rails, cloudflare,
};

/** Stacks whose snippet sends Access-Control-Allow-Private-Network itself. */
const PRIVATE_NETWORK = new Set<Stack>(["koa", "nextjs", "nginx", "apache", "caddy", "django", "go", "cloudflare"]);

const COMMENT: Record<string, string> = {
  javascript: "//", typescript: "//", java: "//", csharp: "//", go: "//",
  nginx: "#", apache: "#", caddy: "#", python: "#", ruby: "#",
};

export function generate(stack: Stack, diagnosis: Diagnosis, exchange: Exchange): Fix {
  const known = isStack(stack);
  const id: Stack = known ? stack : "express";
  const info = STACKS.find((s) => s.id === id)!;
  const unknownNote = known ? [] : [`Unknown stack ${display(String(stack))}; showing ${info.label}.`];
  try {
    const p = computePolicy(diagnosis, exchange);
    const rendered = RENDERERS[id](p);
    const notes = [
      // A hidden server error leads: the status is the problem, and the stack's error path needs the headers.
      ...(p.serverError ? [...serverErrorNotes(p), ...(rendered.errorNotes ?? [])] : []),
      ...codeNotes(diagnosis, exchange, p),
      ...stageNotes(diagnosis, exchange, p),
      ...rendered.notes,
      ...(p.privateNetwork && !PRIVATE_NETWORK.has(id)
        ? [`${info.label} has no option for Access-Control-Allow-Private-Network: add "Access-Control-Allow-Private-Network: true" to the preflight response yourself.`]
        : []),
      ...warningNotes(diagnosis, p),
      ...p.notes,
      ...unknownNote,
    ];
    return { stack: id, language: info.language, title: title(info, p), code: rendered.code, notes, client: clientFix(diagnosis, exchange) };
  } catch {
    // Unreachable for well-typed input; a record from the network must still never crash the caller.
    const c = COMMENT[info.language] ?? "#";
    return {
      stack: id,
      language: info.language,
      title: `${info.label}: CORS configuration`,
      code: `${c} CORS Lens could not build a configuration from this record.`,
      notes: ["The recorded exchange could not be read well enough to build a fix.", ...unknownNote],
      client: null,
    };
  }
}

function title(info: StackInfo, p: Policy): string {
  const who = p.placeholder ? "your page's origin" : display(p.origin);
  const what = [p.credentials ? "credentialed" : "", p.method ? display(p.method, 30) : "", "requests"].filter(Boolean).join(" ");
  return `${info.label}: allow ${what} from ${who}`;
}
