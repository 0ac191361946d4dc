import { readExchange } from "../../../src/core/exchange";
import { diagnose } from "../../../src/core/diagnose";
import { generate, STACKS } from "../../../src/core/fix/index";
import { exchangeJson, headerRows, MASK, maskExchange } from "../../../src/panel/headers";
import { highlight, languageFor, readHighlightHtml, scopeClass, type Token } from "../../../src/panel/highlight";
import { wildcardWithCredentials, headerDisallowed } from "./helpers/fixtures";

const text = (t: Token[]): string => t.map((x) => (typeof x === "string" ? x : text(x.children))).join("");
const scopes = (t: Token[]): string[] => t.flatMap((x) => (typeof x === "string" ? [] : [x.scope, ...scopes(x.children)]));

test("every fix language highlights, and the tokens add up to the exact input", () => {
  const ex = headerDisallowed();
  for (const s of STACKS) {
    const fix = generate(s.id, diagnose(ex), ex);
    const tokens = highlight(fix.code, fix.language);
    expect(text(tokens)).toBe(fix.code);
    if (fix.language !== "caddy") expect(scopes(tokens).length).toBeGreaterThan(0);
  }
});

test("markup in code stays text in the tokens", () => {
  const code = "fetch('<img src=x onerror=alert(1)>') // <script>alert(2)</script>";
  const tokens = highlight(code, "javascript");
  expect(text(tokens)).toBe(code);
  expect(JSON.stringify(tokens)).not.toContain("&lt;");
});

test("markup in a header value comes out as text in every fix language", () => {
  const hostile = `x</span><img src=x onerror=alert(1)><span class="hljs-keyword">&amp;&lt;&#x27;"'`;
  for (const lang of ["javascript", "typescript", "python", "ruby", "go", "java", "csharp", "nginx", "apache", "bash", "caddy"]) {
    const code = `header = '${hostile}' # "${hostile}" // ${hostile}`;
    const tokens = highlight(code, lang);
    expect(text(tokens)).toBe(code);
    // Only highlight.js's own scopes: none made from the input's class attribute.
    for (const s of scopes(tokens)) expect(s).toMatch(/^[a-z_]+(\.[a-z_]+)*$|^$/);
  }
});

test("highlight.js's HTML is read back exactly: spans, tiered scopes, sub-languages and its five entities", () => {
  expect(readHighlightHtml('<span class="hljs-title function_">f</span>(&amp;&lt;&gt;&quot;&#x27;)')).toEqual([
    { scope: "title.function", children: ["f"] }, "(&<>\"')",
  ]);
  expect(readHighlightHtml('<span class="hljs-title class_ inherited__">A</span>')).toEqual([{ scope: "title.class.inherited", children: ["A"] }]);
  expect(readHighlightHtml('<span class="language-xml"><span class="hljs-tag">t</span></span>')).toEqual([{ scope: "", children: [{ scope: "tag", children: ["t"] }] }]);
  expect(readHighlightHtml("")).toEqual([]);
});

test("anything highlight.js would not write is refused, and the code falls back to plain text", () => {
  for (const bad of [
    "<img src=x onerror=alert(1)>", "<b>x</b>", '<span class="hljs-a" onclick="x">y</span>', "<span class='hljs-a'>y</span>",
    '<span class="evil">y</span>', '<span class="hljs-a b">y</span>', '<span class="hljs-a">unclosed', "stray</span>",
    "&nbsp;", "&#60;", "& alone", "raw > gt", 'raw "quote', "raw 'quote", '<span class="hljs-a b_ c_">y</span>',
    '<span class="hljs-a">'.repeat(70) + "x" + "</span>".repeat(70),
  ]) expect(readHighlightHtml(bad)).toBeNull();
});

test("languages and scope classes", () => {
  expect(languageFor("caddy")).toBe("plaintext");
  expect(languageFor("shell")).toBe("bash");
  expect(languageFor("cobol")).toBe("plaintext");
  expect(scopeClass("title.function")).toBe("hl-title hl-title-function");
  expect(scopeClass("a\"><b")).toBe("hl-ab");
});

test("headerRows gives one row per header line", () => {
  expect(headerRows({ a: "1", "set-cookie": ["x=1", "y=2"] })).toEqual([["a", "1"], ["set-cookie", "x=1"], ["set-cookie", "y=2"]]);
});

test("maskExchange hides cookie, set-cookie, authorization and proxy-authorization everywhere", () => {
  const ex = wildcardWithCredentials();
  ex.request.headers = { authorization: "Bearer A", "proxy-authorization": "Basic B", "x-ok": "visible" };
  ex.hops[0]!.response!.headers["set-cookie"] = ["s=1", "t=2"];
  const m = maskExchange(ex);
  const json = JSON.stringify(m);
  for (const secret of ["Bearer A", "Basic B", "SECRET-COOKIE", "s=1", "t=2"]) expect(json).not.toContain(secret);
  expect(m.request.headers["x-ok"]).toBe("visible");
  expect(m.request.sentHeaders?.cookie).toBe(MASK);
  expect(m.hops[0]!.response!.headers["set-cookie"]).toEqual([MASK, MASK]);
  // The original is untouched.
  expect(ex.request.headers.authorization).toBe("Bearer A");
});

test("Copy as JSON is the documented shape: readExchange reads it back and diagnoses the same", () => {
  const ex = wildcardWithCredentials("copy-1");
  for (const reveal of [false, true]) {
    const back = readExchange(JSON.parse(exchangeJson(ex, reveal)));
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(diagnose(back.value).code).toBe(diagnose(ex).code);
      expect(back.value.id).toBe("copy-1");
    }
  }
  expect(exchangeJson(ex, true)).toContain("SECRET-COOKIE");
  expect(exchangeJson(ex, false)).not.toContain("SECRET-COOKIE");
});
