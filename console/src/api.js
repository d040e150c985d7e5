/** The gateway's public HTTP/JSON API: calls with the bearer token and the reader's languages, NDJSON streams. */

import { ApiError } from "./errors.js";

export class Api {
  constructor(token, languages = navigator.languages || [navigator.language || "en"]) {
    this.token = token;
    this.languages = languages;
  }

  headers(extra = {}) {
    return {
      Authorization: `Bearer ${this.token}`,
      "Accept-Language": this.languages.join(", "),
      ...extra,
    };
  }

  /** GET with query parameters (arrays repeat the parameter). */
  get(path, query = {}, signal) {
    return this.call("GET", `${path}${queryString(query)}`, undefined, signal);
  }

  post(path, body = {}, signal) {
    return this.call("POST", path, body, signal);
  }

  async call(method, path, body, signal) {
    const reply = await fetch(path, {
      method,
      headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await reply.text();
    const json = text ? parseJson(text, reply.status) : {};
    if (!reply.ok) throw new ApiError(reply.status, json);
    return json;
  }

  /** The messages of an NDJSON stream, one `result` at a time; an `error` line throws. */
  async *stream(method, path, { query = {}, body, signal } = {}) {
    const reply = await fetch(`${path}${queryString(query)}`, {
      method,
      headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!reply.ok) throw new ApiError(reply.status, parseJson(await reply.text(), reply.status));
    yield* ndjson(reply.body, reply.status);
  }
}

/** Parse a byte stream of newline-delimited JSON into its `result`s. */
export async function* ndjson(body, httpStatus = 200) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) yield resultOf(JSON.parse(line), httpStatus);
      }
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield resultOf(JSON.parse(rest), httpStatus);
  } finally {
    reader.releaseLock();
  }
}

function resultOf(line, httpStatus) {
  if (line.error) throw new ApiError(httpStatus, line.error);
  return line.result;
}

export function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function parseJson(text, httpStatus) {
  try {
    return JSON.parse(text);
  } catch {
    return { code: 2, message: `HTTP ${httpStatus}: ${text.slice(0, 200)}`, details: [] };
  }
}
