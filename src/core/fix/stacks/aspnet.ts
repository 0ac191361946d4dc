// ASP.NET Core CORS middleware (CorsPolicyBuilder), in Program.cs (minimal hosting).
import { csString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

export function aspnet(p: Policy): Rendered {
  const lines = [
    "// Program.cs",
    'const string CorsPolicyName = "CorsLens";',
    "",
    "builder.Services.AddCors(options =>",
    "{",
    "    options.AddPolicy(CorsPolicyName, policy =>",
    "    {",
    "        // An explicit allowlist: only a listed origin is echoed, with Vary: Origin.",
    ...(p.placeholder ? [`        // ${TODO_ORIGIN}`] : []),
    `        policy.WithOrigins(${q(p.origin)})`,
    ...(p.credentials ? ["              .AllowCredentials()"] : []),
    `              .WithMethods(${literalList(p.methods, q)})`,
    ...(p.headers.length ? [`              .WithHeaders(${literalList(p.headers, q)})`] : []),
    ...(p.exposeHeaders.length ? [`              .WithExposedHeaders(${literalList(p.exposeHeaders, q)})`] : []),
    `              .SetPreflightMaxAge(TimeSpan.FromSeconds(${p.maxAge}));`,
    "    });",
    "});",
    "",
    ...(p.serverError ? ["builder.Services.AddProblemDetails(); // what UseExceptionHandler() answers", ""] : []),
    "var app = builder.Build();",
    "",
    ...(p.serverError
      ? [
          "// First: an unhandled exception becomes a 500 here. UseCors adds its headers when the response",
          "// starts, so they survive the exception handler clearing the response.",
          "app.UseExceptionHandler();",
        ]
      : []),
    "app.UseRouting();",
    "// After UseRouting and before authentication: the preflight never carries credentials.",
    "app.UseCors(CorsPolicyName);",
    "app.UseAuthentication();",
    "app.UseAuthorization();",
  ];
  const notes: string[] = [];
  const errorNotes = p.serverError
    ? [
        "ASP.NET Core's CORS middleware adds its headers when the response starts, so every response that passes through UseCors gets them, a 401/403 from UseAuthentication/UseAuthorization (which come after it) included. Exceptions need app.UseExceptionHandler() before UseRouting and UseCors, as in the snippet: without it, an unhandled exception gives Kestrel's bare 500.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("Middleware order matters: app.UseCors(...) must come before app.UseAuthentication() and app.UseAuthorization(), or the preflight gets 401.");
  if (p.duplicateLayer) notes.push("If IIS (web.config customHeaders) or a proxy also adds Access-Control-* headers, remove them there: keep CORS in this policy only.");
  return { code: lines.join("\n"), notes, errorNotes };
}
