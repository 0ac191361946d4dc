// Spring MVC (WebMvcConfigurer.addCorsMappings / CorsRegistration), plus Spring Security's cors().
import { javaString as q, literalList } from "../escape";
import { TODO_ORIGIN, type Policy, type Rendered } from "../policy";

/**
 * allowedOriginPatterns reads `*` as a wildcard and a trailing `:[ports]` as a port list, and quotes the
 * rest with \Q...\E; an origin that could be read as any of those goes to allowedOrigins (exact match),
 * which is also valid with credentials as long as it is not "*".
 */
const PATTERN_SYNTAX = /[*\\]|:\[[^\]]*\]$/;

export function spring(p: Policy): Rendered {
  const exact = PATTERN_SYNTAX.test(p.origin);
  // Spring Security answers 401/403 (and rejects the preflight) in its filters, before Spring MVC applies
  // addCorsMappings: http.cors(...) puts a CorsFilter in front of them.
  const security = p.preflightBeforeAuth || p.serverError !== null;
  const lines = [
    "import org.springframework.context.annotation.Configuration;",
    "import org.springframework.web.servlet.config.annotation.CorsRegistry;",
    "import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;",
    ...(security
      ? [
          "import org.springframework.context.annotation.Bean;",
          "import org.springframework.security.config.Customizer;",
          "import org.springframework.security.config.annotation.web.builders.HttpSecurity;",
          "import org.springframework.security.web.SecurityFilterChain;",
        ]
      : []),
    "",
    "@Configuration",
    "public class CorsConfig implements WebMvcConfigurer {",
    "",
    "    @Override",
    "    public void addCorsMappings(CorsRegistry registry) {",
    "        // An explicit allowlist: only a listed origin is echoed, with Vary: Origin.",
    ...(p.placeholder ? [`        // ${TODO_ORIGIN}`] : []),
    "        registry.addMapping(\"/**\")",
    `            .${exact ? "allowedOrigins" : "allowedOriginPatterns"}(${q(p.origin)})`,
    ...(p.credentials ? ["            .allowCredentials(true)"] : []),
    `            .allowedMethods(${literalList(p.methods, q)})`,
    ...(p.headers.length ? [`            .allowedHeaders(${literalList(p.headers, q)})`] : []),
    ...(p.exposeHeaders.length ? [`            .exposedHeaders(${literalList(p.exposeHeaders, q)})`] : []),
    `            .maxAge(${p.maxAge});`,
    "    }",
    ...(security
      ? [
          "",
          "    // Spring Security's filters run before Spring MVC: cors() makes them answer the preflight",
          "    // (which never carries credentials) with this CORS configuration before authentication,",
          "    // and puts the CORS headers on their own 401/403 responses too.",
          "    @Bean",
          "    public SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {",
          "        http.cors(Customizer.withDefaults());",
          "        // ... your existing authorizeHttpRequests(...) and authentication settings ...",
          "        return http.build();",
          "    }",
        ]
      : [
          "",
          "    // With Spring Security, also call http.cors(Customizer.withDefaults()) in your SecurityFilterChain,",
          "    // so the preflight is answered before authentication.",
        ]),
    "}",
  ];
  const notes: string[] = [];
  if (exact) notes.push("This origin contains characters allowedOriginPatterns would read as pattern syntax, so it is listed with allowedOrigins (an exact match, valid with credentials).");
  const errorNotes = p.serverError
    ? [
        "addCorsMappings applies in Spring MVC, after the servlet filters: a 401/403 from Spring Security never gets its headers. http.cors(...) (in the snippet) adds a CorsFilter at the front of the security filter chain, built from this same configuration (or from a CorsConfigurationSource bean), so those responses carry them. For a 500, answer the exception with an @ExceptionHandler in a @RestControllerAdvice, and check with curl -i -H 'Origin: …' that the error response has the headers.",
      ]
    : [];
  if (p.preflightBeforeAuth) notes.push("With Spring Security, the preflight is rejected by its filters before Spring MVC's CORS handling runs; http.cors(...) moves CORS in front of authentication.");
  if (p.duplicateLayer) notes.push("If a proxy or a servlet filter also adds Access-Control-* headers, remove them there: keep CORS in this configuration only.");
  return { code: lines.join("\n"), notes, errorNotes };
}
