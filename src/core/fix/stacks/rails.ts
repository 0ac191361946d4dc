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
  const errorNotes = p.serverError
    ? [
        "insert_before 0 makes Rack::Cors the outermost middleware, so the responses of everything inside it pass back through it and get the headers: Rails' own 404 and 500 pages (ActionDispatch::ShowExceptions) and a Warden/Devise 401. A middleware inserted before it, Puma's own error page or a proxy's 502/504 has none.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("insert_before 0 puts Rack::Cors ahead of Warden/Devise and the router, so the preflight gets its answer before authentication.");
  if (p.duplicateLayer) notes.push("If a proxy in front of Rails also adds Access-Control-* headers, remove them there, or drop rack-cors.");
  return { code: lines.join("\n"), notes, errorNotes };
}
