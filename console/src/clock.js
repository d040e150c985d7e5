/** Time on the venue's clock: a local day as UTC instants, instants as local "HH:MM". */

const PARTS = new Map();

function formatter(timeZone) {
  if (!PARTS.has(timeZone)) {
    PARTS.set(
      timeZone,
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
    );
  }
  return PARTS.get(timeZone);
}

/** The wall-clock fields of an instant (milliseconds) in a time zone. */
export function wallClock(instantMs, timeZone) {
  const fields = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return fields;
}

/** How far (minutes) the zone's clock is ahead of UTC at an instant. */
export function offsetMinutes(instantMs, timeZone) {
  const f = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60000);
}

/** The instant at which the zone's clock reads `minutes` after midnight of `date` (YYYY-MM-DD). */
export function localInstant(date, minutes, timeZone) {
  const [year, month, day] = date.split("-").map(Number);
  const naive = Date.UTC(year, month - 1, day) + minutes * 60000;
  const first = naive - offsetMinutes(naive, timeZone) * 60000;
  return naive - offsetMinutes(first, timeZone) * 60000;
}

/** The zone's date (YYYY-MM-DD) at an instant. */
export function localDate(instantMs, timeZone) {
  const f = wallClock(instantMs, timeZone);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
}

/** The zone's clock ("HH:MM") at an instant. */
export function localTime(instantMs, timeZone) {
  const f = wallClock(instantMs, timeZone);
  return `${pad(f.hour)}:${pad(f.minute)}`;
}

/** RFC 3339 in UTC, without milliseconds, as the API's examples write it. */
export function rfc3339(instantMs) {
  return new Date(instantMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function pad(value) {
  return String(value).padStart(2, "0");
}
