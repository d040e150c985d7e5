import assert from "node:assert/strict";
import { test } from "node:test";

import { ndjson, queryString } from "../src/api.js";
import { ApiError, messageFor, reasonOf } from "../src/errors.js";

function body(...chunks) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

test("a stream's lines are its results, however the bytes are cut", async () => {
  const results = await collect(ndjson(body('{"result": {"a"', ': 1}}\n{"resu', 'lt": {"a": 2}}\n', '{"result": {"a": 3}}')));
  assert.deepEqual(results, [{ a: 1 }, { a: 2 }, { a: 3 }]);
});

test("an error line ends the stream with the API's status", async () => {
  const status = { code: 14, message: "availability away", details: [] };
  await assert.rejects(
    collect(ndjson(body('{"result": {"a": 1}}\n', `${JSON.stringify({ error: status })}\n`))),
    (error) => error instanceof ApiError && error.status.code === 14,
  );
});

test("query parameters repeat for lists and leave out what is unset", () => {
  assert.equal(
    queryString({ states: ["A", "B"], "window.startTime": "2026-12-08T17:00:00Z", lastVersion: undefined, empty: "" }),
    "?states=A&states=B&window.startTime=2026-12-08T17%3A00%3A00Z",
  );
  assert.equal(queryString({}), "");
});

const LOCALIZED = "type.googleapis.com/google.rpc.LocalizedMessage";

test("the reader sees the API's localized message in their language, else the status message", () => {
  const status = {
    code: 16,
    message: "unauthenticated",
    details: [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "UNAUTHENTICATED" },
      { "@type": LOCALIZED, locale: "fr", message: "Un jeton porteur valide est requis." },
    ],
  };
  assert.equal(messageFor(status, ["fr-FR", "en"]), "Un jeton porteur valide est requis.");
  assert.equal(messageFor({ ...status, details: [{ "@type": LOCALIZED, locale: "en-US", message: "A token." }] }, ["en-GB"]), "A token.");
  assert.equal(messageFor({ code: 5, message: "not found", details: [] }, ["fr"]), "not found");
  assert.equal(reasonOf(status), "UNAUTHENTICATED");
});

test("without a localized message, a bad request names its fields", () => {
  const status = {
    code: 3,
    message: "invalid request",
    details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "name", description: "too long" }] }],
  };
  assert.equal(messageFor(status, ["en"]), "invalid request (name: too long)");
});
