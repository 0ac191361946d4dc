// One port type for both ends of a runtime port: the background's (runtime.onConnect) and the
// panel's or devtools page's (runtime.connect). The bridge (shared/bridge.ts) runs over it.
import type { RawPort } from "./namespace";

export interface Port {
  readonly name: string;
  /** The connecting page's URL and extension id (port.sender; set on the background's end only). */
  readonly senderUrl?: string | undefined;
  readonly senderId?: string | undefined;
  /** Never throws: a message to a port that is gone is dropped (its onDisconnect has fired or will). */
  post(message: unknown): void;
  onMessage(cb: (message: unknown) => void): void;
  onDisconnect(cb: () => void): void;
  disconnect(): void;
}

export function wrapPort(port: RawPort, lastError: () => unknown = () => undefined): Port {
  return {
    name: port.name,
    senderUrl: port.sender?.url,
    senderId: port.sender?.id,
    post: (m) => {
      try {
        port.postMessage(m);
      } catch {
        // "Attempting to use a disconnected port object": onDisconnect handles it
      }
    },
    onMessage: (cb) => port.onMessage.addListener((m) => cb(m)),
    onDisconnect: (cb) => port.onDisconnect.addListener(() => {
      // Chrome logs "Unchecked runtime.lastError" unless it is read.
      void lastError();
      cb();
    }),
    disconnect: () => {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    },
  };
}
