// Types for record-har.mjs (a plain-JavaScript recipe users copy).
export interface HarRecorder {
  har(): { log: { version: string; creator: { name: string; version: string }; pages: unknown[]; entries: unknown[] } };
  save(path: string): Promise<void>;
  stop(): Promise<void>;
}
export function recordHar(page: { createCDPSession(): Promise<unknown> }): Promise<HarRecorder>;
