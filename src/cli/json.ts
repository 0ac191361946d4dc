// Turning untrusted bytes into a JSON value, with one clear sentence when that fails.

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Decodes a file's bytes: UTF-8 (BOM stripped) or UTF-16 with a BOM; binary data is refused. */
export function decodeText(data: Uint8Array | string): { ok: true; text: string } | { ok: false; error: string } {
  if (typeof data === "string") return { ok: true, text: data.replace(/^\uFEFF/, "") };
  if (data.length >= 2 && ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))) {
    try {
      const le = data[0] === 0xff;
      const text = new TextDecoder(le ? "utf-16le" : "utf-16be", { fatal: true }).decode(data.subarray(2));
      return text.includes("\u0000") ? { ok: false, error: "binary data, not JSON" } : { ok: true, text };
    } catch {
      return { ok: false, error: "binary data, not JSON (invalid UTF-16)" };
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return { ok: false, error: `binary data, not JSON (not valid UTF-8 text)` };
  }
  if (text.includes("\u0000")) return { ok: false, error: "binary data, not JSON (contains NUL bytes)" };
  return { ok: true, text: text.replace(/^\uFEFF/, "") };
}

function describe(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${c}'`;
}

/**
 * Where a JSON text first goes wrong, found with a small iterative scanner (so the message does not
 * depend on the Node version, and never quotes the file's contents). Null when the text is valid.
 */
export function locateJsonError(t: string): { pos: number; what: string } | null {
  const n = t.length;
  let i = 0;
  const stack: Array<"[" | "{"> = [];
  const ws = () => {
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const at = (what: string) => ({ pos: i, what });
  const unexpected = () => (i >= n ? at("unexpected end of input") : at(`unexpected ${describe(t[i]!)}`));
  const string = (): { pos: number; what: string } | null => {
    i++; // opening quote
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = t[i + 1];
        if (e === undefined) {
          i++;
          return at("unterminated string");
        }
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) return at("bad \\u escape in string");
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else return at("bad escape in string");
        continue;
      }
      if (c < 0x20) return at(`unescaped ${describe(t[i]!)} in string`);
      i++;
    }
    return at("unterminated string");
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  let state: "value" | "after" | "key" = "value";
  for (;;) {
    if (state === "value") {
      ws();
      if (i >= n) return unexpected();
      const c = t[i]!;
      if (c === "{") {
        stack.push("{");
        i++;
        ws();
        if (t[i] === "}") {
          stack.pop();
          i++;
          state = "after";
        } else state = "key";
        continue;
      }
      if (c === "[") {
        stack.push("[");
        i++;
        ws();
        if (t[i] === "]") {
          stack.pop();
          i++;
          state = "after";
        }
        continue;
      }
      if (c === '"') {
        const e = string();
        if (e) return e;
        state = "after";
        continue;
      }
      const lit = ["true", "false", "null"].find((w) => t.startsWith(w, i));
      if (lit) {
        i += lit.length;
        state = "after";
        continue;
      }
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(t);
      if (m && m[0] !== "" && m[0] !== "-") {
        i += m[0].length;
        state = "after";
        continue;
      }
      return unexpected();
    }
    if (state === "key") {
      ws();
      if (t[i] !== '"') return i >= n ? unexpected() : at(`expected a property name in double quotes, found ${describe(t[i]!)}`);
      const e = string();
      if (e) return e;
      ws();
      if (t[i] !== ":") return i >= n ? unexpected() : at(`expected ':' after a property name, found ${describe(t[i]!)}`);
      i++;
      state = "value";
      continue;
    }
    // after a value
    ws();
    const top = stack[stack.length - 1];
    if (top === undefined) return i >= n ? null : at(`unexpected ${describe(t[i]!)} after the end of the JSON value`);
    if (i >= n) return unexpected();
    const c = t[i]!;
    if (c === ",") {
      i++;
      state = top === "{" ? "key" : "value";
      continue;
    }
    if ((top === "{" && c === "}") || (top === "[" && c === "]")) {
      stack.pop();
      i++;
      continue;
    }
    return at(`expected ',' or '${top === "{" ? "}" : "]"}', found ${describe(c)}`);
  }
}

function lineCol(t: string, pos: number): string {
  let line = 1;
  let last = -1;
  for (let k = t.indexOf("\n"); k !== -1 && k < pos; k = t.indexOf("\n", k + 1)) {
    line++;
    last = k;
  }
  return `line ${line}, column ${pos - last}`;
}

/** JSON.parse with a one-line, content-free explanation on failure. */
export function parseJson(text: string): Parsed {
  // A regex test, not text.trim(): that would copy a 100 MB file to learn it is not empty.
  if (!/\S/.test(text)) return { ok: false, error: "empty file, not JSON" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const loc = locateJsonError(text);
    if (loc) return { ok: false, error: `not JSON (${loc.what} at ${lineCol(text, loc.pos)}, position ${loc.pos})` };
    if (e instanceof RangeError) return { ok: false, error: "not JSON this tool can read (nested too deeply)" };
    const msg = e instanceof Error ? e.message.replace(/, ".*" is not valid JSON$/s, "").slice(0, 200) : String(e);
    return { ok: false, error: `not JSON (${msg})` };
  }
}
