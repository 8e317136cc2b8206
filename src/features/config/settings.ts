/** The app's jsonData: read by the plugin.json proxy routes (`{{ .JsonData.collectorUrl }}`). */
export interface ShipwatchSettings {
  collectorUrl?: string;
}

/** The app's secureJsonData: write-only from the browser, injected by the proxy routes. */
export interface ShipwatchSecureSettings {
  apiToken?: string;
}

/**
 * The proxy route appends `/api` to the collector URL, so a URL pasted with the API path (or a
 * trailing slash) is cut back to the collector's root. Returns undefined when it is not an
 * http(s) URL.
 */
export function normalizeCollectorUrl(input: string): string | undefined {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api(\/v1)?$/, '');
  return `${url.origin}${path}`;
}
