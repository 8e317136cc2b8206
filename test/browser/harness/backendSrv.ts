import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

// Grafana's BackendSrv, reduced to what a browser needs without Grafana's app around it: the
// plugin's pages call getBackendSrv().fetch/get/post with the same request objects they send in
// Grafana, and this answers them with window.fetch against the test's server (which plays
// Grafana's HTTP API). Error objects have FetchError's shape, which the pages' error handling reads.

function queryString(params: BackendSrvRequest['params']): string {
  if (!params) {
    return '';
  }
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      search.append(key, String(one));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function requestBody(data: unknown): BodyInit | undefined {
  if (data === undefined || data === null) {
    return undefined;
  }
  if (typeof data === 'string' || data instanceof FormData || data instanceof Blob || data instanceof URLSearchParams) {
    return data;
  }
  return JSON.stringify(data);
}

async function parseBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class FetchBackendSrv implements BackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const abort = new AbortController();
      const headers = new Headers(options.headers as Record<string, string> | undefined);
      const body = requestBody(options.data);
      if (body !== undefined && typeof body === 'string' && !headers.has('Content-Type')) {
        headers.set('Content-Type', 'application/json');
      }
      const url = `${options.url}${queryString(options.params)}`;
      window
        .fetch(url, { method: options.method ?? 'GET', headers, body, signal: abort.signal, credentials: 'same-origin' })
        .then(async (res) => {
          const data = (await parseBody(res)) as T;
          if (!res.ok) {
            const message = (data as { message?: string } | undefined)?.message;
            const error: FetchError = { status: res.status, statusText: res.statusText, data, message, config: options };
            subscriber.error(error);
            return;
          }
          subscriber.next({
            data,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: unknown) => {
          if (abort.signal.aborted) {
            return;
          }
          // Network failure: Grafana reports these with status 0 too.
          const error: FetchError = { status: 0, statusText: String(err), data: undefined, message: String(err), config: options };
          subscriber.error(error);
        });
      return () => abort.abort();
    });
  }

  async request<T = unknown>(options: BackendSrvRequest): Promise<T> {
    return (await this.datasourceRequest<T>(options)).data;
  }

  datasourceRequest<T = unknown>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return new Promise((resolve, reject) => {
      this.fetch<T>(options).subscribe({ next: resolve, error: reject });
    });
  }

  get<T = unknown>(url: string, params?: BackendSrvRequest['params'], _requestId?: string, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, url, params, method: 'GET' });
  }

  delete<T = unknown>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, url, data, method: 'DELETE' });
  }

  post<T = unknown>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, url, data, method: 'POST' });
  }

  patch<T = unknown>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, url, data, method: 'PATCH' });
  }

  put<T = unknown>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, url, data, method: 'PUT' });
  }

  chunked(): Observable<FetchResponse<Uint8Array | undefined>> {
    // No page of this app streams; Grafana uses this for streaming data source queries only.
    throw new Error('chunked requests are not supported by the test harness');
  }
}
