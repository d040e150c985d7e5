import assert from "node:assert/strict";
import { test } from "node:test";

import { accepts, backoffMs, watch } from "../src/live.js";

const message = (version, resync = false) => ({ snapshot: { version: String(version) }, resync });

test("only a newer version, or a resync, replaces the one shown", () => {
  assert.equal(accepts(null, message(3)), true);
  assert.equal(accepts(3, message(4)), true);
  assert.equal(accepts(4, message(3)), false);
  assert.equal(accepts(4, message(4)), false);
  assert.equal(accepts(9, message(2, true)), true);
  assert.equal(accepts(1, {}), false);
});

test("reconnects back off from 250 ms to at most 4 s", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(backoffMs), [250, 500, 1000, 2000, 4000, 4000, 4000]);
});

/** A scripted server: each connection yields its messages, then ends (or fails). */
function scripted(connections) {
  const opened = [];
  const open = (lastVersion, signal) => {
    opened.push(lastVersion);
    const script = connections.shift() || { messages: [], hang: true };
    return (async function* () {
      for (const item of script.messages) yield item;
      if (script.fail) throw Object.assign(new Error("dropped"), { httpStatus: 503 });
      if (script.hang) await aborted(signal);
    })();
  };
  return { open, opened };
}

/** Pending until the signal aborts, then rejected, as fetch does. */
function aborted(signal) {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
}

async function until(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition());
}

test("a dropped stream reconnects from the version shown and never shows an older one", async () => {
  const server = scripted([
    { messages: [message(5), message(6)], fail: true },
    { messages: [message(4), message(8)], hang: true },
  ]);
  const shown = [];
  const statuses = [];
  const controller = new AbortController();
  const done = watch({
    open: server.open,
    onSnapshot: (m) => shown.push(Number(m.snapshot.version)),
    onStatus: (s) => statuses.push({ live: s.live, version: s.version }),
    signal: controller.signal,
    sleep: async () => {},
  });
  await until(() => shown.includes(8));
  controller.abort();
  await done;
  assert.deepEqual(server.opened, [null, 6]);
  assert.deepEqual(shown, [5, 6, 8]);
  assert.deepEqual(statuses.find((s) => !s.live), { live: false, version: 6 });
});

test("after a reconnect the view is live again only once a read proves its version current", async () => {
  const server = scripted([{ messages: [message(5)], fail: true }]);
  const statuses = [];
  const shown = [];
  let answer;
  const read = new Promise((resolve) => {
    answer = resolve;
  });
  const controller = new AbortController();
  const done = watch({
    open: server.open,
    current: () => read,
    onSnapshot: (m) => shown.push(Number(m.snapshot.version)),
    onStatus: (s) => statuses.push(s.live),
    signal: controller.signal,
    sleep: async () => {},
  });
  await until(() => server.opened.length === 2);
  assert.deepEqual(statuses, [true, false]);
  answer({ version: "5" });
  await until(() => statuses.length === 3);
  assert.deepEqual(statuses, [true, false, true]);
  assert.deepEqual(shown, [5]);
  controller.abort();
  await done;
});

test("a read that answers after its connection dropped again is ignored", async () => {
  const server = scripted([{ messages: [message(5)], fail: true }, { messages: [], fail: true }]);
  const statuses = [];
  let answer;
  const controller = new AbortController();
  let reads = 0;
  const done = watch({
    open: server.open,
    current: () => {
      reads += 1;
      return reads === 1 ? new Promise((resolve) => { answer = resolve; }) : new Promise(() => {});
    },
    onSnapshot: () => {},
    onStatus: (s) => statuses.push(s.live),
    signal: controller.signal,
    sleep: async () => {},
  });
  await until(() => server.opened.length === 3);
  answer({ version: "5" });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(statuses, [true, false, false]);
  controller.abort();
  await done;
});

test("a refused token stops the watch instead of retrying", async () => {
  const open = () => (async function* () { throw Object.assign(new Error("no"), { httpStatus: 401 }); })();
  const statuses = [];
  await watch({ open, onSnapshot: () => {}, onStatus: (s) => statuses.push(s), signal: new AbortController().signal, sleep: async () => {} });
  assert.equal(statuses.length, 1);
  assert.equal(statuses[0].live, false);
});

test("a token refused mid-stream (an error line) stops the watch too", async () => {
  const open = () => (async function* () { throw Object.assign(new Error("expired"), { httpStatus: 200, status: { code: 16 } }); })();
  const statuses = [];
  await watch({ open, onSnapshot: () => {}, onStatus: (s) => statuses.push(s), signal: new AbortController().signal, sleep: async () => {} });
  assert.equal(statuses.length, 1);
});
