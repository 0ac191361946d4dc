// Rails with rack-cors (https://github.com/cyu/rack-cors).
import { literalList, rubyString as q } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function rails(p: Policy): Rendered {
  // rack-cors compares the lower-cased request method with its list, so the list is lower case.
  const methods = [...new Set(p.methods.map((m) => m.toLowerCase()))];
  const lines = [
    "# config/initializers/cors.rb",
    "# insert_before 0: Rack::Cors runs first, so the preflight is answered before any auth (Devise/Warden).",
    "Rails.application.config.middleware.insert_before 0, Rack::Cors do",
    "  allow do",
    "    # An explicit allowlist: only a listed origin is echoed, with Vary: Origin.",
    ...(p.placeholder ? [`    # ${TODO_ORIGIN}`] : []),
    `    origins ${q(p.origin)}`,
    "    resource '*',",
    `      headers: [${literalList(p.headers, q)}],`,
    `      methods: [${literalList(methods, q)}],`,
    ...(p.exposeHeaders.length ? [`      expose: [${literalList(p.exposeHeaders, q)}],`] : []),
    ...(p.credentials ? ["      credentials: true,"] : []),
    `      max_age: ${p.maxAge}`,
    "  end",
    "end",
  ];
  const notes: string[] = [];
  if (p.preflightBeforeAuth) notes.push("insert_before 0 puts Rack::Cors ahead of Warden/Devise and the router, so the preflight gets its answer before authentication.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Rails also adds Access-Control-* headers, remove them there, or drop rack-cors.");
  return { code: lines.join("\n"), notes };
}
