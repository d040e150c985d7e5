import assert from "node:assert/strict";
import { test } from "node:test";

import { localDate, localInstant, localTime, rfc3339 } from "../src/clock.js";
import { KEYS, LANGUAGES, catalogue, pickLanguage, translator } from "../src/i18n.js";
import { claimsOf, expired, venuesOf } from "../src/token.js";

test("every word of the console exists in English and French", () => {
  assert.deepEqual(LANGUAGES, ["en", "fr"]);
  assert.deepEqual(Object.keys(catalogue("fr")).sort(), [...KEYS].sort());
});

test("the console speaks the first of the reader's languages it knows, else English", () => {
  assert.equal(pickLanguage(["de-DE", "fr-CA", "en"]), "fr");
  assert.equal(pickLanguage(["de"]), "en");
  assert.equal(translator("fr")("party", { size: 4 }), "4 convives");
});

test("a local day and time at the venue become UTC instants, across a clock change", () => {
  assert.equal(rfc3339(localInstant("2026-12-08", 19 * 60 + 30, "Europe/London")), "2026-12-08T19:30:00Z");
  assert.equal(rfc3339(localInstant("2026-07-08", 19 * 60 + 30, "Europe/London")), "2026-07-08T18:30:00Z");
  assert.equal(rfc3339(localInstant("2026-03-29", 12 * 60, "Europe/Paris")), "2026-03-29T10:00:00Z");
  const instant = Date.parse("2026-07-08T23:30:00Z");
  assert.equal(localDate(instant, "Europe/London"), "2026-07-09");
  assert.equal(localTime(instant, "Europe/London"), "00:30");
});

function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256" })}.${part(claims)}.signature`;
}

test("a token's venues and expiry are read for display; other text is not a token", () => {
  const claims = claimsOf(jwt({ sub: "ops-1", venues: ["demo-bistro"], exp: 100 }));
  assert.deepEqual(venuesOf(claims), ["demo-bistro"]);
  assert.equal(venuesOf(claimsOf(jwt({ venues: ["a", "*"] }))), "*");
  assert.equal(expired(claims, 100_000), true);
  assert.equal(expired(claims, 99_000), false);
  assert.equal(claimsOf("not a token"), null);
  assert.equal(claimsOf("a.%%%.c"), null);
});
