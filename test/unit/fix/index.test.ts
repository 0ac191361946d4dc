import fc from "fast-check";
import { generate, isStack, STACKS } from "../../../src/core/fix";
import type { Stack } from "../../../src/core/types";
import { makeDiagnosis, makeExchange } from "./helpers/fixtures";

const ALL: Stack[] = ["express", "fastify", "koa", "nextjs", "nginx", "apache", "caddy", "flask", "django", "fastapi", "spring", "aspnet", "go", "rails", "cloudflare"];

describe("STACKS and isStack", () => {
  it("lists all 15 stacks once, with a label and a highlighting language", () => {
    expect(STACKS.map((s) => s.id).sort()).toEqual([...ALL].sort());
    const languages = new Set(["javascript", "typescript", "nginx", "apache", "caddy", "python", "java", "csharp", "go", "ruby"]);
    for (const s of STACKS) {
      expect(s.label.length).toBeGreaterThan(0);
      expect(languages.has(s.language)).toBe(true);
    }
    expect(STACKS.find((s) => s.id === "nextjs")!.language).toBe("typescript");
    expect(STACKS.find((s) => s.id === "spring")!.language).toBe("java");
  });
  it("is read-only", () => {
    expect(Object.isFrozen(STACKS)).toBe(true);
    expect(Object.isFrozen(STACKS[0])).toBe(true);
  });
  it("isStack accepts exactly the ids", () => {
    for (const id of ALL) expect(isStack(id)).toBe(true);
    for (const s of ["", "Express", "node", "toString", "__proto__", "nginx "]) expect(isStack(s)).toBe(false);
  });
});

describe("generate", () => {
  it("returns a complete Fix for every stack", () => {
    for (const id of ALL) {
      const f = generate(id, makeDiagnosis(), makeExchange());
      expect(f.stack).toBe(id);
      expect(f.language).toBe(STACKS.find((s) => s.id === id)!.language);
      expect(f.title).toMatch(/: allow credentialed PUT requests from https:\/\/app\.example$/);
      expect(f.code.length).toBeGreaterThan(50);
      expect(f.notes.length).toBeGreaterThan(0);
      expect(f.client === null || typeof f.client === "object").toBe(true);
    }
  });
  it("is deterministic", () => {
    for (const id of ALL) expect(generate(id, makeDiagnosis(), makeExchange())).toEqual(generate(id, makeDiagnosis(), makeExchange()));
  });
  it("does not modify its inputs", () => {
    const d = makeDiagnosis();
    const x = makeExchange();
    const before = JSON.stringify([d, x]);
    for (const id of ALL) generate(id, d, x);
    expect(JSON.stringify([d, x])).toBe(before);
  });
  it("falls back to Express, with a note, for an unknown stack id", () => {
    const f = generate("cobol" as Stack, makeDiagnosis(), makeExchange());
    expect(f.stack).toBe("express");
    expect(f.notes.join(" ")).toMatch(/Unknown stack cobol/);
  });
  it("notes the private-network header for stacks that have no option for it", () => {
    const d = makeDiagnosis({ code: "PreflightMissingAllowPrivateNetwork" });
    expect(generate("express", d, makeExchange()).notes.join(" ")).toMatch(/has no option for Access-Control-Allow-Private-Network/);
    expect(generate("nginx", d, makeExchange()).notes.join(" ")).not.toMatch(/has no option/);
    expect(generate("nginx", d, makeExchange()).code).toContain('add_header Access-Control-Allow-Private-Network "true" always;');
  });
  it("titles a placeholder origin as 'your page's origin'", () => {
    expect(generate("go", makeDiagnosis(), makeExchange({ request: { origin: "null" } })).title).toMatch(/from your page's origin$/);
  });
  it("never throws, whatever the input", () => {
    const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true });
    const looseExchange = fc.record({
      request: fc.oneof(anything, fc.record({ url: anything, method: anything, origin: anything, headers: anything, sentHeaders: anything })),
      hops: fc.oneof(anything, fc.array(fc.record({ url: anything, preflight: anything, response: anything }), { maxLength: 3 })),
    });
    const looseDiagnosis = fc.record({
      code: fc.oneof(anything, fc.constantFrom("PreflightInvalidStatus", "DisallowedByMode", "PreflightDisallowedRedirect", "AllowOriginMismatch", "WildcardOriginNotAllowed")),
      hop: anything, stage: anything, credentials: anything, warnings: anything, received: anything, failedParameter: anything, blocked: anything,
    });
    fc.assert(
      fc.property(fc.constantFrom(...ALL, "nope"), looseDiagnosis, looseExchange, (stack, d, x) => {
        const f = generate(stack as Stack, d as never, x as never);
        return typeof f.code === "string" && !f.code.includes("could not build") && f.code.length > 0 && Array.isArray(f.notes) && typeof f.title === "string";
      }),
      { numRuns: 400 },
    );
  });
});
