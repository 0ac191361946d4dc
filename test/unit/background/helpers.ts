import { Engine, type EngineOptions } from "../../../src/background/engine";
import { MSG, PORT_NAME } from "../../../src/shared/protocol";
import { FakeBrowser, type FakePanel } from "../../fakes/browser";
import { Tab } from "./traffic";

export const APP = "http://localhost:3000";
export const API = "https://api.example";

export const ok = {
  /** A preflight answer that allows a credentialed PUT with x-token / content-type. */
  preflight: {
    "Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, PUT, DELETE", "Access-Control-Allow-Headers": "content-type, x-token",
    "Access-Control-Max-Age": "0",
  },
  response: { "Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true", "Vary": "Origin", "Content-Type": "application/json" },
};

export function without(h: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([n]) => n.toLowerCase() !== name.toLowerCase()));
}

/** A started engine with tab 1 on a dev origin (full capture by default). */
export async function setup(opts: EngineOptions = {}, pageUrl = `${APP}/`) {
  const w = new FakeBrowser();
  const engine = new Engine(w.platform(), opts);
  await engine.start();
  w.navigate(1, pageUrl);
  const tab = new Tab(w, 1, new URL(pageUrl).origin);
  return { w, engine, tab };
}

export async function openPanel(w: FakeBrowser, engine: Engine, tabId: number): Promise<FakePanel> {
  const panel = w.connect(PORT_NAME);
  panel.send({ type: MSG.HELLO, tabId });
  await engine.idle();
  return panel;
}
