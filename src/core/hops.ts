// How every output names a hop: people count from 1 ("hop 2 of 3"), as Chrome DevTools lists a
// redirect chain; the `hop` field of a diagnosis stays the 0-based index (docs/exchange.md).
// The CLI, the panel, Copy as curl/fetch, the audit and `npm run start:headless` all say it this way.
import { hostOrUrl } from "../shared/url";

/** "hop 2 of 3" for index 1 of 3 hops; "" when there is one hop (nothing to tell apart). */
export function hopName(index: number, count: number): string {
  return count > 1 ? `hop ${index + 1} of ${count}` : "";
}

/** "login.test (hop 2 of 2)", or just "login.test" for a single hop. */
export function hopPlace(url: string, index: number, count: number): string {
  const name = hopName(index, count);
  return name ? `${hostOrUrl(url)} (${name})` : hostOrUrl(url);
}
