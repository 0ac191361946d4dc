// The server stacks a fix is written for: their ids, labels and snippet languages. Data only, apart from
// the generators (index.ts), so that the panel's list can check a stored choice without loading them.
import type { Stack } from "../types";

export interface StackInfo {
  id: Stack;
  label: string;
  language: string;
}

export const STACKS: ReadonlyArray<StackInfo> = Object.freeze([
  { id: "express", label: "Express (cors)", language: "javascript" },
  { id: "fastify", label: "Fastify (@fastify/cors)", language: "javascript" },
  { id: "koa", label: "Koa (@koa/cors)", language: "javascript" },
  { id: "nextjs", label: "Next.js (route handler)", language: "typescript" },
  { id: "nginx", label: "nginx", language: "nginx" },
  { id: "apache", label: "Apache httpd (mod_headers)", language: "apache" },
  { id: "caddy", label: "Caddy", language: "caddy" },
  { id: "flask", label: "Flask (Flask-CORS)", language: "python" },
  { id: "django", label: "Django (django-cors-headers)", language: "python" },
  { id: "fastapi", label: "FastAPI (CORSMiddleware)", language: "python" },
  { id: "spring", label: "Spring (WebMvcConfigurer)", language: "java" },
  { id: "aspnet", label: "ASP.NET Core (CorsPolicyBuilder)", language: "csharp" },
  { id: "go", label: "Go (rs/cors)", language: "go" },
  { id: "rails", label: "Rails (rack-cors)", language: "ruby" },
  { id: "cloudflare", label: "Cloudflare Workers", language: "javascript" },
].map((s) => Object.freeze(s as StackInfo)));

const IDS = new Set<string>(STACKS.map((s) => s.id));

export function isStack(s: string): s is Stack {
  return typeof s === "string" && IDS.has(s);
}
