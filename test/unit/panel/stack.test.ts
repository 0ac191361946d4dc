import { diagnose } from "../../../src/core/diagnose";
import { generate, STACKS } from "../../../src/core/fix/index";
import type { Exchange, Headers } from "../../../src/core/types";
import { guessStack, readStackPrefs, resolveStack, serverOrigin, withChoice, EMPTY_PREFS } from "../../../src/panel/stack";
import { hop, makeExchange } from "./helpers/fixtures";

function withResponse(headers: Headers): Exchange {
  return makeExchange({ hops: [hop({ response: { status: 200, headers: { "access-control-allow-origin": "*", ...headers } } })], browserError: "net::ERR_FAILED" });
}

const guess = (headers: Headers) => {
  const ex = withResponse(headers);
  return guessStack(ex, diagnose(ex));
};

test.each([
  [{ server: "nginx/1.25.3" }, "nginx", "Server"],
  [{ server: "openresty" }, "nginx", "Server"],
  [{ "x-powered-by": "Express" }, "express", "X-Powered-By"],
  [{ server: "nginx", "x-powered-by": "Express" }, "express", "X-Powered-By"],
  [{ server: "Kestrel" }, "aspnet", "Server"],
  [{ "x-powered-by": "ASP.NET" }, "aspnet", "X-Powered-By"],
  [{ server: "gunicorn" }, "flask", "Server"],
  [{ server: "uvicorn" }, "fastapi", "Server"],
  [{ server: "Caddy" }, "caddy", "Server"],
  [{ server: "Apache/2.4.58 (Ubuntu)" }, "apache", "Server"],
  [{ server: "cloudflare" }, "cloudflare", "Server"],
  [{ "x-powered-by": "Next.js" }, "nextjs", "X-Powered-By"],
  [{ "x-powered-by": "Phusion Passenger(R) 6.0" }, "rails", "X-Powered-By"],
  [{ server: "Puma 6.4" }, "rails", "Server"],
  [{ server: "Apache-Coyote/1.1" }, "spring", "Server"],
  [{ via: "1.1 Caddy" }, "caddy", "Via"],
])("guesses %j as %s", (headers, stack, header) => {
  const g = guess(headers);
  expect(g?.stack).toBe(stack);
  expect(g?.header).toBe(header);
});

test("no guess without a telling header", () => {
  expect(guess({ server: "MyServer" })).toBeNull();
  expect(guess({})).toBeNull();
});

test("the failing stage's headers win over other responses", () => {
  const ex = makeExchange({
    request: { method: "PUT" },
    hops: [hop({ preflight: { status: 204, headers: { server: "nginx" } }, response: { status: 200, headers: { server: "Kestrel" } } })],
    browserError: "net::ERR_FAILED",
  });
  const d = diagnose(ex);
  expect(d.stage).toBe("preflight");
  expect(guessStack(ex, d)?.stack).toBe("nginx");
});

test("resolveStack: chosen for this server, then guess, then last choice, then Express", () => {
  const g = { stack: "nginx" as const, header: "Server", value: "nginx" };
  const prefs = withChoice(EMPTY_PREFS, "https://api.example", "django");
  expect(resolveStack(prefs, "https://api.example", g)).toEqual({ stack: "django", reason: { kind: "chosen" } });
  expect(resolveStack(prefs, "https://other.example", g)).toEqual({ stack: "nginx", reason: { kind: "guessed", guess: g } });
  expect(resolveStack(prefs, "https://other.example", null)).toEqual({ stack: "django", reason: { kind: "last" } });
  expect(resolveStack(EMPTY_PREFS, "https://other.example", null)).toEqual({ stack: "express", reason: { kind: "default" } });
});

test("stored preferences are validated", () => {
  expect(readStackPrefs(null)).toEqual(EMPTY_PREFS);
  expect(readStackPrefs("x")).toEqual(EMPTY_PREFS);
  expect(readStackPrefs({ byOrigin: { "https://a": "nginx", "https://b": "cobol", c: 3 }, last: "php" }))
    .toEqual({ byOrigin: { "https://a": "nginx" }, last: null });
  expect(readStackPrefs(JSON.parse('{"byOrigin":{"__proto__":"nginx"},"last":"go"}')).last).toBe("go");
});

test("the fix is for the failing hop's server", () => {
  const ex = makeExchange({
    hops: [
      hop({ url: "https://api.example/data", response: { status: 302, headers: { location: "https://cdn.example/data", "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true" } } }),
      hop({ url: "https://cdn.example/data", response: { status: 200, headers: {} } }),
    ],
    browserError: "net::ERR_FAILED",
  });
  expect(serverOrigin(ex, diagnose(ex))).toBe("https://cdn.example");
});

test("every stack the core supports renders a fix (sanity for the selector)", () => {
  const ex = withResponse({});
  for (const s of STACKS) expect(generate(s.id, diagnose(ex), ex).stack).toBe(s.id);
});
