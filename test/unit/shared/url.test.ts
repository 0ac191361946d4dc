// src/shared/url.ts: one name per URL piece (host has the port, hostname not), for every caller.
import { hostnameOf, hostOf, hostOrUrl, stripFragment } from "../../../src/shared/url";

describe("hostOf", () => {
  test("the host with its port, lower-case", () => {
    expect(hostOf("https://API.Example:8443/x?y#z")).toBe("api.example:8443");
    expect(hostOf("http://localhost:3000/")).toBe("localhost:3000");
    expect(hostOf("http://[::1]:8080/")).toBe("[::1]:8080");
    // The default port is not part of the serialized host.
    expect(hostOf("https://a.example:443/")).toBe("a.example");
    expect(hostOf("https://user:pw@a.example/")).toBe("a.example");
  });

  test("non-special schemes keep their host, lower-cased too", () => {
    expect(hostOf("foo://Mixed.Case/x")).toBe("mixed.case");
    expect(hostOf("about:blank")).toBe("");
  });

  test("null for a URL that does not parse", () => {
    for (const bad of ["", "not a url", "/relative/path", "https://", "http://a b/"]) expect(hostOf(bad)).toBeNull();
  });
});

describe("hostOrUrl", () => {
  test("the host, or the text itself so a display always shows something", () => {
    expect(hostOrUrl("https://login.test:8443/cb")).toBe("login.test:8443");
    expect(hostOrUrl("not a url")).toBe("not a url");
  });
});

describe("hostnameOf", () => {
  test("the host name of an http(s) URL, without the port", () => {
    expect(hostnameOf("http://LocalHost:3000/app")).toBe("localhost");
    expect(hostnameOf("HTTPS://shop.example/")).toBe("shop.example");
    expect(hostnameOf("http://[::1]:3000/")).toBe("[::1]");
  });

  test("null for other schemes and for what does not parse", () => {
    for (const u of ["chrome://extensions", "about:blank", "file:///tmp/x.html", "ftp://a.example/", "http://", "garbage"]) {
      expect(hostnameOf(u)).toBeNull();
    }
  });
});

describe("stripFragment", () => {
  test("drops everything from the first #", () => {
    expect(stripFragment("https://a.example/x?q=1#frag")).toBe("https://a.example/x?q=1");
    expect(stripFragment("https://a.example/x#a#b")).toBe("https://a.example/x");
    expect(stripFragment("https://a.example/x#")).toBe("https://a.example/x");
  });

  test("leaves a URL without a fragment as it is", () => {
    expect(stripFragment("https://a.example/x?q=%23")).toBe("https://a.example/x?q=%23");
    expect(stripFragment("")).toBe("");
  });
});
