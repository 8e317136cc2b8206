// Structured lines (JSON, logfmt): a flat stream of key/value pairs is mapped onto the event fields
// by a table of common key aliases; the other keys are kept under `log.fields`.
//
// Aliases (exact key, or its lower-case form when the key starts with an upper-case letter; nested
// JSON keys are matched in their dotted form, e.g. pino-http's `req.method`, ECS's `log.level`):
//
//   message               msg, message, @message, @m, short_message, renderedmessage, log.message
//   log.level             level, lvl, severity, loglevel, log_level, levelname, @l, severitytext, log.level
//   log.time              ts, time, timestamp, @timestamp, @t, datetime, time_local, time_iso8601
//   source.ip             remote_addr, client_ip, clientip, ip, remote_ip, remoteaddr, remoteaddress,
//                         client_addr, src_ip, source_ip, source.ip, client.ip, req.remoteaddress, req.ip
//   http.request.method   method, http_method, request_method, httpmethod, req.method, request.method,
//                         http.request.method
//   url.*                 path, uri, url, request_uri, requesturi, req.url, request.url, request.uri,
//                         url.original, request (a full `GET /x HTTP/1.1` request line is split)
//   http.response.status_code  status, status_code, statuscode, http_status, response_status,
//                         res.statuscode, response.status, http.response.status_code
//   http.response.body.bytes   bytes, body_bytes_sent, bytes_sent, response_bytes, http.response.body.bytes
//   user_agent.original   user_agent, ua, useragent, http_user_agent, user-agent, req.headers.user-agent,
//                         request.headers.user-agent, headers.user-agent, user_agent.original
//   http.request.referrer referer, referrer, http_referer, http_referrer, req.headers.referer,
//                         http.request.referrer
//   user.name             user, username, user_name, remote_user, user.name
//
// The first occurrence of a role wins; a second alias of the same role, or an alias whose value has
// the wrong type (a `status` that is not a number), stays in `log.fields`. Bounds: at most
// MAX_FIELDS kept fields, string values clipped to MAX_FIELD_VALUE characters, arrays of scalars up
// to MAX_ARRAY items (longer arrays and deeper values are kept as bounded JSON text);
// `log.fields_truncated` says when something was dropped.

import { applyRequest, parseClfTime } from './access-log.js';
import { normalizeLevel } from './level.js';
import type { DecodedLog, FieldValue, LogFormat } from './types.js';
import { urlFields } from './url.js';
import { clip, epochToRfc3339, parseIsoTime, sourceFromHost, MAX_MESSAGE } from './util.js';

export const MAX_FIELDS = 64;
export const MAX_FIELD_VALUE = 1024;
export const MAX_ARRAY = 32;

type Role = 'msg' | 'level' | 'time' | 'ip' | 'method' | 'url' | 'request' | 'status' | 'bytes' | 'ua' | 'ref' | 'user';

const ALIASES = new Map<string, Role>(Object.entries({
  msg: 'msg', message: 'msg', '@message': 'msg', '@m': 'msg', short_message: 'msg', renderedmessage: 'msg', 'log.message': 'msg',
  level: 'level', lvl: 'level', severity: 'level', loglevel: 'level', log_level: 'level', levelname: 'level', '@l': 'level',
  severitytext: 'level', 'log.level': 'level',
  ts: 'time', time: 'time', timestamp: 'time', '@timestamp': 'time', '@t': 'time', datetime: 'time', time_local: 'time',
  time_iso8601: 'time',
  remote_addr: 'ip', client_ip: 'ip', clientip: 'ip', ip: 'ip', remote_ip: 'ip', remoteaddr: 'ip', remoteAddr: 'ip',
  remoteaddress: 'ip', remoteAddress: 'ip', client_addr: 'ip', src_ip: 'ip', source_ip: 'ip', 'source.ip': 'ip',
  'client.ip': 'ip', 'req.remoteAddress': 'ip', 'req.remoteaddress': 'ip', 'req.ip': 'ip', clientIp: 'ip', clientIP: 'ip',
  method: 'method', http_method: 'method', request_method: 'method', httpmethod: 'method', httpMethod: 'method',
  'req.method': 'method', 'request.method': 'method', 'http.request.method': 'method', requestMethod: 'method',
  path: 'url', uri: 'url', url: 'url', request_uri: 'url', requesturi: 'url', requestUri: 'url', requestURI: 'url',
  'req.url': 'url', 'request.url': 'url', 'request.uri': 'url', 'url.original': 'url', requestUrl: 'url',
  request: 'request',
  status: 'status', status_code: 'status', statuscode: 'status', statusCode: 'status', http_status: 'status',
  response_status: 'status', 'res.statusCode': 'status', 'res.statuscode': 'status', 'response.status': 'status',
  'http.response.status_code': 'status', httpStatus: 'status',
  bytes: 'bytes', body_bytes_sent: 'bytes', bytes_sent: 'bytes', response_bytes: 'bytes', 'http.response.body.bytes': 'bytes',
  user_agent: 'ua', ua: 'ua', useragent: 'ua', userAgent: 'ua', http_user_agent: 'ua', 'user-agent': 'ua',
  'req.headers.user-agent': 'ua', 'request.headers.user-agent': 'ua', 'headers.user-agent': 'ua', 'user_agent.original': 'ua',
  referer: 'ref', referrer: 'ref', http_referer: 'ref', http_referrer: 'ref', 'req.headers.referer': 'ref',
  'http.request.referrer': 'ref',
  user: 'user', username: 'user', user_name: 'user', userName: 'user', remote_user: 'user', 'user.name': 'user',
}) as Array<[string, Role]>);

function aliasOf(key: string): Role | undefined {
  const r = ALIASES.get(key);
  if (r !== undefined) return r;
  const c = key.charCodeAt(0);
  if (c >= 65 && c <= 90 && key.length <= 32) return ALIASES.get(key.toLowerCase());
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.length > 0 && v.length <= 16) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function parseTimeValue(v: unknown): string | undefined {
  if (typeof v === 'number') return epochToRfc3339(v);
  if (typeof v !== 'string') return undefined;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const iso = parseIsoTime(v);
    if (iso) return iso;
    if (v.charCodeAt(2) === 47) return parseClfTime(v);
    if (v.length <= 20) {
      const n = Number(v);
      if (Number.isFinite(n)) return epochToRfc3339(n);
    }
  }
  return undefined;
}

/** Collects the pairs of one structured line into a DecodedLog. */
export class StructuredBuilder {
  readonly out: DecodedLog;
  private fields: Record<string, FieldValue> | undefined;
  private nFields = 0;
  private seen = 0;

  constructor(format: LogFormat) {
    this.out = { log: { format } };
  }

  /** Marks that some pairs were not even looked at (bounds of the caller). */
  truncated(): void {
    this.out.log.fields_truncated = true;
  }

  add(key: string, value: FieldValue): void {
    const role = aliasOf(key);
    if (role !== undefined && !(this.seen & ROLE_BIT[role]) && this.apply(role, value)) {
      this.seen |= ROLE_BIT[role];
      return;
    }
    this.keep(key, value);
  }

  keep(key: string, value: FieldValue): void {
    if (key === '__proto__') return;
    if (this.nFields >= MAX_FIELDS) {
      this.out.log.fields_truncated = true;
      return;
    }
    if (this.fields === undefined) {
      this.fields = {};
      this.out.log.fields = this.fields;
    }
    if (typeof value === 'string' && value.length > MAX_FIELD_VALUE) {
      value = value.slice(0, MAX_FIELD_VALUE);
      this.out.log.fields_truncated = true;
    }
    if (!(key in this.fields)) this.nFields += 1;
    this.fields[key] = value;
  }

  private apply(role: Role, v: FieldValue): boolean {
    const out = this.out;
    switch (role) {
      case 'msg':
        if (typeof v !== 'string') return false;
        out.message = clip(v, MAX_MESSAGE);
        return true;
      case 'level': {
        const l = normalizeLevel(v);
        if (!l) return false;
        out.log.level = l;
        return true;
      }
      case 'time': {
        const t = parseTimeValue(v);
        if (!t) return false;
        out.log.time = t;
        return true;
      }
      case 'ip': {
        if (typeof v !== 'string') return false;
        // X-Forwarded-For style lists: the first address is the client.
        const comma = v.indexOf(',');
        const src = sourceFromHost(comma >= 0 ? v.slice(0, comma).trim() : v);
        if (!src) return false;
        out.source = out.source ? Object.assign(out.source, src) : src;
        return true;
      }
      case 'method':
        if (typeof v !== 'string' || v.length === 0 || v.length > 20) return false;
        ((out.http ??= {}).request ??= {}).method = v;
        return true;
      case 'url':
        if (typeof v !== 'string' || v.length === 0 || out.url) return false;
        out.url = urlFields(v);
        return true;
      case 'request':
        if (typeof v !== 'string' || v.length === 0) return false;
        if (v.charCodeAt(0) === 47 || v.includes('://')) {
          if (out.url) return false;
          out.url = urlFields(v);
          return true;
        }
        if (out.url || out.http?.request?.method) return false;
        applyRequest(out, v);
        return out.url !== undefined;
      case 'status': {
        const n = toNumber(v);
        if (n === undefined || !Number.isInteger(n) || n < 100 || n > 999) return false;
        ((out.http ??= {}).response ??= {}).status_code = n;
        return true;
      }
      case 'bytes': {
        const n = toNumber(v);
        if (n === undefined || n < 0) return false;
        ((out.http ??= {}).response ??= {}).body = { bytes: n };
        return true;
      }
      case 'ua':
        if (typeof v !== 'string' || v.length === 0 || v === '-') return false;
        out.user_agent = { original: clip(v) };
        return true;
      case 'ref':
        if (typeof v !== 'string' || v.length === 0 || v === '-') return false;
        ((out.http ??= {}).request ??= {}).referrer = clip(v);
        return true;
      case 'user':
        if (typeof v !== 'string' || v.length === 0 || v === '-') return false;
        out.user = { name: clip(v) };
        return true;
    }
  }
}

const ROLE_BIT: Record<Role, number> = {
  msg: 1, level: 2, time: 4, ip: 8, method: 16, url: 32, request: 32, status: 64, bytes: 128, ua: 256, ref: 512, user: 1024,
};
