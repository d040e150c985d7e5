/** The API's errors (google.rpc.Status as JSON) as one sentence for people, in their language. */

const LOCALIZED = "type.googleapis.com/google.rpc.LocalizedMessage";
const BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

/** An answer the API refused, with its status body kept. */
export class ApiError extends Error {
  constructor(httpStatus, status) {
    super(status?.message || `HTTP ${httpStatus}`);
    this.name = "ApiError";
    this.httpStatus = httpStatus;
    this.status = status ?? {};
  }
}

/** The best message for the reader: the LocalizedMessage nearest their languages, else the status message. */
export function messageFor(status, languages) {
  const details = Array.isArray(status?.details) ? status.details : [];
  const localized = details.filter((detail) => detail["@type"] === LOCALIZED && detail.message);
  for (const language of languages) {
    const wanted = language.toLowerCase();
    const exact = localized.find((detail) => (detail.locale || "").toLowerCase() === wanted);
    if (exact) return exact.message;
    const base = wanted.split("-")[0];
    const near = localized.find((detail) => (detail.locale || "").toLowerCase().split("-")[0] === base);
    if (near) return near.message;
  }
  if (localized.length) return localized[0].message;
  const fields = details
    .filter((detail) => detail["@type"] === BAD_REQUEST)
    .flatMap((detail) => detail.fieldViolations || [])
    .map((violation) => `${violation.field}: ${violation.description}`);
  const message = status?.message || "";
  return fields.length ? `${message} (${fields.join("; ")})`.trim() : message;
}

/** The ErrorInfo reason ("STALE_VERSION", ...), or "" when there is none. */
export function reasonOf(status) {
  const details = Array.isArray(status?.details) ? status.details : [];
  return details.find((detail) => detail["@type"] === ERROR_INFO)?.reason || "";
}
