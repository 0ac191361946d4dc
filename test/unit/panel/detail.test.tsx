/** @jest-environment jsdom */
import { fireEvent, render, screen, within } from "@testing-library/preact";
import { Code } from "../../../src/panel/Code";
import { copyText, createBrowserPanelPlatform } from "../../../src/platform/panel";
import { readSplit, SPLIT_KEY } from "../../../src/panel/Splitter";
import { STACK_PREFS_KEY } from "../../../src/panel/stack";
import { fakePlatform } from "./helpers/fake-platform";
import {
  blockedPreflight, headerDisallowed, hop, makeEntry, makeExchange, methodDisallowed, passing, warning, wildcardWithCredentials,
} from "./helpers/fixtures";
import { renderPanel, settle } from "./helpers/render";

function openDetail(index = 0): HTMLElement {
  const rows = within(screen.getByRole("grid")).getAllByRole("row").filter((r) => r.getAttribute("aria-rowindex") !== "1");
  fireEvent.click(rows[index]!);
  return screen.getByRole("region", { name: "Request detail" });
}

const section = (detail: HTMLElement, name: string | RegExp) => within(detail).getByRole("region", { name });

describe("detail", () => {
  test("stages, with the failing stage marked", () => {
    const redirect = makeExchange({
      id: "redir",
      hops: [
        hop({ url: "https://api.example/data", response: { status: 302, headers: { location: "https://cdn.example/data", "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true" } } }),
        hop({ url: "https://cdn.example/data", response: { status: 200, headers: {} } }),
      ],
      browserError: "net::ERR_FAILED",
    });
    renderPanel([makeEntry(blockedPreflight()), makeEntry(redirect)]);
    let stages = within(section(openDetail(0), "Stages")).getAllByRole("listitem");
    expect(stages.map((s) => s.querySelector(".stage-title")!.textContent)).toEqual(["Preflight OPTIONS", "PUT request"]);
    expect(stages.map((s) => s.querySelector(".stage-status")!.textContent)).toEqual(["204", "not sent"]);
    expect(stages[0]!.getAttribute("aria-current")).toBe("step");
    expect(stages[1]!.getAttribute("aria-current")).toBeNull();

    stages = within(section(openDetail(1), "Stages")).getAllByRole("listitem");
    expect(stages.map((s) => s.querySelector(".stage-title")!.textContent)).toEqual(["Redirect", "GET request"]);
    expect(stages.map((s) => s.querySelector(".stage-status")!.textContent)).toEqual(["302", "200"]);
    expect(stages[1]!.getAttribute("aria-current")).toBe("step");
  });

  test("the failing header: the culprit row highlighted, received beside expected, a missing header shown as missing", () => {
    renderPanel([makeEntry(blockedPreflight()), makeEntry(wildcardWithCredentials())]);
    let failing = section(openDetail(0), "Failing header");
    let culprit = failing.querySelectorAll("tr[data-culprit]");
    expect(culprit).toHaveLength(1);
    expect(culprit[0]!.textContent).toBe("access-control-allow-origin (the failing header)missing");
    expect(culprit[0]!.className).toContain("culprit");
    expect(failing.querySelector(".received")!.textContent).toBe("Receivedmissing");
    expect(failing.querySelector(".expected")!.textContent).toBe("Expectedhttps://app.example");
    // The other headers of the preflight are there too, not highlighted.
    expect(within(failing).getByRole("rowheader", { name: "access-control-allow-methods" }).closest("tr")!.hasAttribute("data-culprit")).toBe(false);

    failing = section(openDetail(1), "Failing header");
    culprit = failing.querySelectorAll("tr[data-culprit]");
    expect(culprit).toHaveLength(1);
    expect(within(culprit[0] as HTMLElement).getByRole("rowheader").textContent).toContain("access-control-allow-origin");
    expect(culprit[0]!.querySelector("td")!.textContent).toBe("*");
    expect(failing.querySelector(".received")!.textContent).toBe("Received*");
  });

  test("MethodDisallowed highlights the method on the request side", () => {
    renderPanel([makeEntry(methodDisallowed())]);
    const failing = section(openDetail(), "Failing header");
    const marks = [...failing.querySelectorAll("mark[data-culprit]")].map((m) => m.textContent);
    expect(marks).toEqual(["PUT", "PUT"]);
    expect(failing.querySelector("tr[data-culprit] td")!.textContent).toBe("GET, POST");
  });

  test("HeaderDisallowed highlights the entry in Access-Control-Request-Headers and the request header", () => {
    renderPanel([makeEntry(headerDisallowed())]);
    const detail = openDetail();
    const failing = section(detail, "Failing header");
    const acrh = [...failing.querySelectorAll(".kv")].find((k) => k.textContent!.startsWith("access-control-request-headers"))!;
    expect(acrh.textContent).toBe("access-control-request-headers authorization, x-api-key, x-token");
    expect([...acrh.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["x-token"]);
    const requestTable = within(section(detail, "Headers")).getByRole("table", { name: "Request headers set by the script" });
    expect(requestTable.querySelector("tr[data-culprit] th")!.textContent).toContain("x-token");
  });

  test("the explanation: message, why, Chrome code, Firefox key, MDN link, initiator", () => {
    const ex = wildcardWithCredentials();
    ex.initiator = "https://app.example/main.js:12:5";
    renderPanel([makeEntry(ex)]);
    const detail = openDetail();
    expect(detail.querySelector(".message")!.textContent).toMatch(/Access-Control-Allow-Origin: \*/);
    const why = section(detail, "Explanation");
    expect(why.textContent).toContain("the Fetch standard ignores *");
    expect(screen.getByRole("region", { name: "Request detail" }).querySelector(".why code")!.textContent).toBe("*");
    expect(why.textContent).toContain("WildcardOriginNotAllowed");
    expect(why.textContent).toContain("CORSNotSupportingCredentials");
    expect(why.textContent).toContain("https://app.example/main.js:12:5");
    const link = within(why).getByRole("link");
    expect(link.getAttribute("href")).toBe("https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSNotSupportingCredentials");
    expect(link.getAttribute("rel")).toContain("noopener");
  });

  test("warnings have their own section; a missing Vary: Origin is said once, in the audit", () => {
    const ex = makeExchange({ request: { url: "https://api.example/warn" }, hops: [hop({ url: "https://api.example/warn", response: { status: 200, headers: {
      "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true", "access-control-expose-headers": "*" } } })] });
    renderPanel([makeEntry(ex)]);
    const detail = openDetail();
    const w = section(detail, /^Warnings/);
    expect(w.textContent).toContain("ExposeHeadersWildcardWithCredentials");
    expect(w.textContent).not.toContain("MissingVaryOrigin");
    expect(detail.querySelector("[data-finding=missing-vary]")).not.toBeNull();
    expect(within(detail).queryByRole("region", { name: "Failing header" })).toBeNull();
  });

  test("a passing request has no fix section; a network error is not called CORS", () => {
    renderPanel([makeEntry(passing()), makeEntry(makeExchange({ hops: [hop()], browserError: "net::ERR_CONNECTION_REFUSED" }))]);
    expect(within(openDetail(0)).queryByRole("region", { name: "Fix" })).toBeNull();
    const d = openDetail(1);
    expect(d.querySelector(".message")!.textContent).toContain("not a CORS block");
    expect(within(d).queryByRole("region", { name: "Fix" })).toBeNull();
  });
});

describe("masking", () => {
  test("cookie, set-cookie and authorization values are masked until revealed", () => {
    const ex = wildcardWithCredentials();
    ex.request.headers = { authorization: "Bearer SECRET-TOKEN", "proxy-authorization": "Basic SECRET-PROXY" };
    renderPanel([makeEntry(ex)]);
    const detail = openDetail();
    const headers = section(detail, "Headers");
    for (const s of ["SECRET-TOKEN", "SECRET-PROXY", "SECRET-COOKIE", "SECRET-SESSION"]) expect(detail.textContent).not.toContain(s);
    expect(headers.querySelectorAll("td.masked")).toHaveLength(4);
    expect(within(headers).getByLabelText("cookie value hidden")).toBeTruthy();
    const reveal = within(headers).getByRole("button", { name: "Reveal secrets" });
    expect(reveal.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(reveal);
    for (const s of ["SECRET-TOKEN", "SECRET-PROXY", "SECRET-COOKIE", "SECRET-SESSION"]) expect(detail.textContent).toContain(s);
    const hide = within(headers).getByRole("button", { name: "Hide secrets" });
    expect(hide.getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(hide);
    expect(detail.textContent).not.toContain("SECRET-COOKIE");
  });
});

describe("text only", () => {
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';

  test("hostile header values, URL and initiator render as text", () => {
    const ex = makeExchange({
      request: { url: "https://api.example/<img src=x onerror=alert(1)>", headers: { "x-evil": hostile } },
      hops: [hop({ url: "https://api.example/<img src=x onerror=alert(1)>", response: { status: 200, headers: { "access-control-allow-origin": hostile, "x-markup": hostile } } })],
      browserError: "net::ERR_FAILED",
      initiator: hostile,
    });
    const { container } = renderPanel([makeEntry(ex)]);
    const detail = openDetail();
    expect(container.querySelector("img, script, b")).toBeNull();
    expect(detail.textContent).toContain(hostile);
    const culprit = section(detail, "Failing header").querySelector("tr[data-culprit] td")!;
    expect(culprit.textContent).toBe(hostile);
    expect(culprit.children).toHaveLength(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test("a highlighted snippet with markup produces no element but spans", () => {
    const code = "app.use(cors({ origin: '</span><img src=x onerror=alert(1)>' })); // <script>alert(2)</script>";
    const { container } = render(<Code code={code} language="javascript" label="snippet" />);
    expect(container.querySelector("img, script")).toBeNull();
    expect(container.textContent).toBe(code);
    const tags = new Set([...container.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()));
    expect([...tags].sort()).toEqual(["code", "pre", "span"]);
    expect(container.querySelector(".hl-comment")!.textContent).toBe("// <script>alert(2)</script>");
  });

  test("a stored fix snippet cannot inject either (every stack)", () => {
    const ex = blockedPreflight();
    ex.request.origin = "https://app.example";
    ex.request.headers = { "x-<img src=x onerror=alert(1)>": "1" };
    const { container } = renderPanel([makeEntry(ex)]);
    const detail = openDetail();
    const select = within(detail).getByRole("combobox", { name: "Server stack" }) as HTMLSelectElement;
    for (const opt of [...select.options]) {
      fireEvent.change(select, { target: { value: opt.value } });
      expect(container.querySelector("img, script")).toBeNull();
    }
  });
});

describe("fix", () => {
  test("guessed from the Server header, then the choice is remembered in storage.local", async () => {
    const platform = fakePlatform();
    const first = renderPanel([makeEntry(blockedPreflight())], { platform });
    await settle();
    let detail = openDetail();
    let fix = section(detail, "Fix");
    const select = within(fix).getByRole("combobox", { name: "Server stack" }) as HTMLSelectElement;
    expect(select.value).toBe("nginx");
    expect(within(fix).getByTestId("stack-reason").textContent).toBe("guessed from Server: nginx/1.25.3");
    expect(fix.querySelector("pre code")!.textContent).toContain("add_header");
    fireEvent.change(select, { target: { value: "django" } });
    expect(select.value).toBe("django");
    expect(within(fix).getByTestId("stack-reason").textContent).toBe("your choice for this server");
    expect(fix.querySelector("pre code")!.textContent).toContain("CORS_ALLOWED_ORIGINS");
    await settle();
    expect(platform.storage.get(STACK_PREFS_KEY)).toEqual({ byOrigin: { "https://api.example": "django" }, last: "django" });
    first.unmount();

    // A new panel (same storage) remembers it.
    const again = fakePlatform({ storage: platform.storage });
    renderPanel([makeEntry(blockedPreflight())], { platform: again });
    await settle();
    detail = openDetail();
    fix = section(detail, "Fix");
    expect((within(fix).getByRole("combobox", { name: "Server stack" }) as HTMLSelectElement).value).toBe("django");
    expect(within(fix).getByTestId("stack-reason").textContent).toBe("your choice for this server");
  });

  test("the selector offers every stack the core supports", () => {
    renderPanel([makeEntry(blockedPreflight())]);
    const select = within(section(openDetail(), "Fix")).getByRole("combobox", { name: "Server stack" }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(
      ["express", "fastify", "koa", "nextjs", "nginx", "apache", "caddy", "flask", "django", "fastapi", "spring", "aspnet", "go", "rails", "cloudflare"]);
  });

  test("the client-side alternative is shown beside the server fix when there is one", () => {
    const noCookie = wildcardWithCredentials();
    delete noCookie.request.sentHeaders;
    renderPanel([makeEntry(noCookie)]);
    const fix = section(openDetail(), "Fix");
    expect(within(fix).getByRole("heading", { name: "Or change the page" })).toBeTruthy();
    expect(fix.querySelector(".fix-client")!.textContent).toContain("credentials: 'include',  <- remove this line");
    expect(fix.querySelectorAll("pre.code")).toHaveLength(2);
  });
});

describe("copy", () => {
  const realClipboard = Object.getOwnPropertyDescriptor(navigator, "clipboard");
  afterEach(() => {
    if (realClipboard) Object.defineProperty(navigator, "clipboard", realClipboard);
    else delete (navigator as unknown as { clipboard?: unknown }).clipboard;
    delete (document as unknown as { execCommand?: unknown }).execCommand;
  });

  test("Copy fix falls back to execCommand when navigator.clipboard is refused, and still says Copied", async () => {
    const writeText = jest.fn(() => Promise.reject(new DOMException("Document is not focused.", "NotAllowedError")));
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    let copiedText: string | null = null;
    const execCommand = jest.fn((cmd: string) => {
      const ta = document.activeElement as HTMLTextAreaElement;
      copiedText = cmd === "copy" && ta.tagName === "TEXTAREA" ? ta.value.slice(ta.selectionStart, ta.selectionEnd) : null;
      return true;
    });
    Object.defineProperty(document, "execCommand", { configurable: true, value: execCommand });
    // The platform's real copyText behind the fake.
    const platform = fakePlatform({ copy: (t) => copyText(t) });
    renderPanel([makeEntry(blockedPreflight())], { platform });
    const detail = openDetail();
    fireEvent.click(within(detail).getByRole("button", { name: "Copy fix" }));
    await settle();
    expect(writeText).toHaveBeenCalled();
    expect(execCommand).toHaveBeenCalledWith("copy");
    expect(copiedText).toBe(platform.copies[0]);
    expect(copiedText).toContain("add_header");
    expect(within(detail).getByRole("status").textContent).toBe("Copied");
    expect(document.querySelector("textarea")).toBeNull();
  });

  test("when every method is refused it says so", async () => {
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: () => Promise.reject(new Error("no")) } });
    Object.defineProperty(document, "execCommand", { configurable: true, value: () => false });
    renderPanel([makeEntry(blockedPreflight())], { platform: fakePlatform({ copy: (t) => copyText(t) }) });
    const detail = openDetail();
    fireEvent.click(within(detail).getByRole("button", { name: "Copy fix" }));
    await settle();
    expect(within(detail).getByRole("status").textContent).toMatch(/^Copy failed/);
  });

  test("Copy as JSON copies the exchange, masked unless revealed", async () => {
    const platform = fakePlatform();
    const ex = wildcardWithCredentials("json-1");
    renderPanel([makeEntry(ex)], { platform });
    const detail = openDetail();
    fireEvent.click(within(detail).getByRole("button", { name: "Copy as JSON" }));
    await settle();
    const masked = JSON.parse(platform.copies[0]!);
    expect(masked.id).toBe("json-1");
    expect(masked.request.sentHeaders.cookie).toBe("[masked]");
    expect(masked.hops[0].response.headers["set-cookie"]).toBe("[masked]");
    expect(masked.hops[0].response.headers["access-control-allow-origin"]).toBe("*");
    expect(within(detail).getByRole("status").textContent).toBe("Copied");
    // "Copied" is on the button that copied, not on the others.
    expect(within(detail).getByRole("button", { name: "Copy as JSON" }).textContent).toBe("Copied");
    expect(within(detail).getByRole("button", { name: "Copy as curl" }).textContent).toBe("Copy as curl");
    fireEvent.click(within(detail).getByRole("button", { name: "Reveal secrets" }));
    fireEvent.click(within(detail).getByRole("button", { name: "Copy as JSON" }));
    await settle();
    expect(JSON.parse(platform.copies[1]!)).toEqual(JSON.parse(JSON.stringify(ex)));
  });

  test("a status failure (a 401 preflight) shows the status, received against expected, under 'Failing check'", () => {
    const ex = makeExchange({
      request: { method: "PUT", url: "https://api.example/items/2", headers: { "content-type": "application/json" } },
      hops: [hop({ url: "https://api.example/items/2", preflight: { status: 401, headers: {
        "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true", "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type" } }, response: null })],
      browserError: "net::ERR_FAILED",
    });
    renderPanel([makeEntry(ex)]);
    const sec = section(openDetail(0), "Failing check");
    expect(sec.querySelector(".box.received .label")!.textContent).toBe("Received status");
    expect(sec.querySelector(".box.received .mono")!.textContent).toBe("401");
    expect(sec.querySelector(".box.expected .mono")!.textContent).toBe("2xx (e.g. 204)");
    expect(within(screen.getByRole("region", { name: "Request detail" })).queryByRole("region", { name: "Failing header" })).toBeNull();
  });

  test("every selection opens the detail at the top", () => {
    renderPanel([makeEntry(blockedPreflight()), makeEntry(wildcardWithCredentials())]);
    const body = openDetail(0).querySelector(".detail-body") as HTMLElement;
    body.scrollTop = 500;
    expect(body.scrollTop).toBe(500);
    const next = openDetail(1).querySelector(".detail-body") as HTMLElement;
    expect(next.scrollTop).toBe(0);
  });
});

describe("the cookie in the Fix", () => {
  test("a credentialed cross-site request blocked without a cookie: the Fix says first why the cookie will not go, with the Set-Cookie change", () => {
    const ex = makeExchange({ request: { sentHeaders: { accept: "*/*" } },
      hops: [hop({ response: { status: 200, headers: { "access-control-allow-origin": "*" } } })], browserError: "net::ERR_FAILED" });
    renderPanel([makeEntry(ex)]);
    const fix = section(openDetail(0), "Fix");
    const note = fix.querySelector("[data-fix=cookie]")!;
    expect(note.textContent).toContain("Lax by default");
    expect(note.querySelector("pre")!.textContent).toBe("Set-Cookie: sid=…; Path=/; HttpOnly; SameSite=None; Secure; Partitioned");
    // Up front: before the server snippet.
    expect(fix.querySelector(".fix")!.firstElementChild).toBe(note);
  });
});

describe("a redirect that turns the Origin into null", () => {
  test("says what happened, warns off allowing null, leads with the fix that works, names the hop", () => {
    // app.example → api.example (302) → login.example: the second hop is sent with Origin: null.
    const ex = makeExchange({
      request: { url: "https://api.example/me", method: "GET", headers: {} },
      hops: [
        hop({ url: "https://api.example/me", response: { status: 302, headers: { location: "https://login.example/sso", "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true" } } }),
        hop({ url: "https://login.example/sso", response: { status: 200, headers: { "access-control-allow-origin": "https://app.example", "access-control-allow-credentials": "true" } } }),
      ],
      browserError: "net::ERR_FAILED",
    });
    renderPanel([makeEntry(ex)]);
    const detail = openDetail(0);
    expect(detail.querySelector(".message")!.textContent).toContain("sent Origin: null because the request was redirected to another origin");
    expect(detail.querySelector(".message")!.textContent).toContain("do not answer Access-Control-Allow-Origin: null");
    expect(detail.querySelector(".message")!.textContent).toContain("Call https://login.example/sso directly from the page");
    const failing = section(detail, "Failing header");
    expect(failing.querySelector(".box.expected .mono")!.textContent).toBe("null");
    expect(failing.querySelector(".taint-note")!.textContent).toContain("Do not allow null");
    expect(failing.querySelector("caption")!.textContent).toBe("Response of login.example (hop 2 of 2): 200");
  });

  test("an opaque page (a sandboxed iframe) is not a redirect: no note", () => {
    const ex = makeExchange({
      request: { url: "https://api.example/me", method: "GET", headers: {}, origin: "null" },
      hops: [hop({ url: "https://api.example/me", response: { status: 200, headers: { "access-control-allow-origin": "https://app.example" } } })],
      browserError: "net::ERR_FAILED",
    });
    renderPanel([makeEntry(ex)]);
    const detail = openDetail(0);
    expect(detail.querySelector(".taint-note")).toBeNull();
    expect(detail.querySelector(".message")!.textContent).not.toContain("redirected to another origin");
  });
});

describe("the list/detail split", () => {
  test("moves with the arrow keys, is remembered in storage.local, and is restored the next time", async () => {
    const platform = fakePlatform();
    const first = renderPanel([makeEntry(blockedPreflight())], { platform });
    openDetail(0);
    const sep = screen.getByRole("separator", { name: "Resize the list and the detail" });
    fireEvent.keyDown(sep, { key: "ArrowRight" });
    fireEvent.keyDown(sep, { key: "ArrowRight" });
    await settle();
    const stored = (await platform.storageGet([SPLIT_KEY]))[SPLIT_KEY] as number;
    expect(stored).toBeGreaterThan(35);
    // (jsdom's CSS drops custom properties: the layout itself is checked in real Chromium, test/e2e/panel.test.ts.)
    expect(screen.getByRole("separator").getAttribute("aria-valuenow")).toBe(String(stored));
    first.unmount();
    renderPanel([makeEntry(blockedPreflight())], { platform });
    await settle();
    openDetail(0);
    expect(screen.getByRole("separator").getAttribute("aria-valuenow")).toBe(String(stored));
  });

  test("a stored split out of range or not a number is ignored", () => {
    expect(readSplit(200)).toBeNull();
    expect(readSplit("40")).toBeNull();
    expect(readSplit(40)).toBe(40);
  });
});

describe("theme of panel.html in a normal tab", () => {
  test("follows prefers-color-scheme when DevTools gives no theme, and its changes", () => {
    let dark = true;
    const listeners: Array<() => void> = [];
    const mq = { get matches() { return dark; }, addEventListener: (_: string, f: () => void) => listeners.push(f), removeEventListener: () => {} };
    const saved = globalThis.matchMedia;
    (globalThis as unknown as { matchMedia: unknown }).matchMedia = () => mq;
    try {
      const p = createBrowserPanelPlatform();
      expect(p.themeName()).toBe("dark");
      const seen: string[] = [];
      p.onThemeChanged((t) => seen.push(t));
      dark = false;
      for (const f of listeners) f();
      expect(seen).toEqual(["default"]);
    } finally {
      (globalThis as unknown as { matchMedia: unknown }).matchMedia = saved;
    }
  });
});

describe("initiator, as a link to the Sources panel", () => {
  const withInitiator = (initiator: string) => makeEntry(makeExchange({ id: "i", initiator }));
  const initiatorCell = (detail: HTMLElement) => {
    const dt = within(detail).getAllByText("Initiator").find((el) => el.tagName === "DT")!;
    return dt.nextElementSibling as HTMLElement;
  };

  test("in DevTools, clicking it opens the page's line and column", async () => {
    const opened: unknown[] = [];
    const platform = Object.assign(fakePlatform(), { openResource: async (...a: unknown[]) => { opened.push(a); return true; } });
    renderPanel([withInitiator("https://app.example/js/app.js?v=3:42:7")], { platform });
    const link = within(initiatorCell(openDetail())).getByRole("button", { name: "app.js:42:7" });
    fireEvent.click(link);
    await settle();
    expect(opened).toEqual([["https://app.example/js/app.js?v=3", 42, 7]]);
    expect(screen.queryByText(/no such source/)).toBeNull();
  });

  test("when DevTools cannot open it, the panel says so", async () => {
    const platform = Object.assign(fakePlatform(), { openResource: async () => false });
    renderPanel([withInitiator("https://app.example/app.js:2:3")], { platform });
    fireEvent.click(within(initiatorCell(openDetail())).getByRole("button", { name: "app.js:2:3" }));
    await settle();
    expect(screen.getByText("(DevTools has no such source loaded)")).toBeTruthy();
  });

  test("outside DevTools, or for a form it cannot parse, it is plain text", () => {
    renderPanel([withInitiator("https://app.example/app.js:2:3")]);
    expect(within(initiatorCell(openDetail())).queryByRole("button")).toBeNull();
    expect(initiatorCell(screen.getByRole("region", { name: "Request detail" })).textContent).toBe("https://app.example/app.js:2:3");
  });

  test("hostile initiators are text, not links or markup", () => {
    const platform = Object.assign(fakePlatform(), { openResource: async () => true });
    renderPanel([withInitiator("javascript:alert(1):1:1"), makeEntry(makeExchange({ id: "j", initiator: "<img src=x onerror=alert(1)>" }))], { platform });
    expect(within(initiatorCell(openDetail(0))).queryByRole("button")).toBeNull();
    const cell = initiatorCell(openDetail(1));
    expect(cell.querySelector("img")).toBeNull();
    expect(cell.textContent).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("openResource in the browser platform", () => {
  test("passes a 0-based line and column to devtools.panels.openResource, and reads its error result", async () => {
    const calls: unknown[] = [];
    let result: unknown = undefined;
    const g = globalThis as unknown as { chrome?: unknown };
    const saved = g.chrome;
    g.chrome = { runtime: { id: "x" }, devtools: { panels: { openResource: (u: string, l: number, c: number | undefined, cb: (r: unknown) => void) => { calls.push([u, l, c]); cb(result); } } } };
    try {
      const p = createBrowserPanelPlatform();
      expect(await p.openResource!("https://app.example/app.js", 42, 7)).toBe(true);
      expect(await p.openResource!("https://app.example/app.js", 1, null)).toBe(true);
      result = { isError: true, code: "E_NOTFOUND" };
      expect(await p.openResource!("https://app.example/gone.js", 3, 1)).toBe(false);
      expect(calls).toEqual([["https://app.example/app.js", 41, 6], ["https://app.example/app.js", 0, undefined], ["https://app.example/gone.js", 2, 0]]);
      g.chrome = { runtime: { id: "x" } };
      expect(createBrowserPanelPlatform().openResource).toBeUndefined();
    } finally {
      g.chrome = saved;
    }
  });
});
