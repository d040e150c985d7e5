import assert from "node:assert/strict";
import { test } from "node:test";

import { blockLabel, dayRange, floorRows, hourMarks, lanesOf } from "../src/floor.js";
import { translator } from "../src/i18n.js";

const at = (hhmm) => Date.parse(`2026-12-08T${hhmm}:00Z`);
const window = (from, to) => ({ startTime: `2026-12-08T${from}:00Z`, endTime: `2026-12-08T${to}:00Z` });
const PLAN = {
  venue: { venueId: "v", timeZone: "UTC" },
  zones: [{ zoneId: "main", displayName: "Main room" }, { zoneId: "bar", displayName: "Bar" }],
  tables: [
    { tableId: "m2", displayName: "M2", zoneId: "main", maxSeats: 4, active: true },
    { tableId: "m1", displayName: "M1", zoneId: "main", maxSeats: 2, active: true },
    { tableId: "b1", displayName: "B1", zoneId: "bar", maxSeats: 2, active: true },
    { tableId: "off", displayName: "OFF", zoneId: "bar", maxSeats: 2, active: false },
  ],
};

function snapshot(tables) {
  return { version: "7", tables };
}

test("tables are rows grouped under their zone, inactive tables left out", () => {
  const zones = floorRows(PLAN, snapshot([]), at("17:00"), at("23:00"));
  assert.deepEqual(
    zones.map((zone) => [zone.name, zone.rows.map((row) => row.name)]),
    [["Main room", ["M1", "M2"]], ["Bar", ["B1"]]],
  );
});

test("a booking is a block placed on the time axis with its party size and kind", () => {
  const interval = { kind: "OCCUPANCY_KIND_CONFIRMED", window: window("19:00", "21:00"), allocationId: "a", bookingId: "b", partySize: 2 };
  const [main] = floorRows(PLAN, snapshot([{ tableId: "m1", intervals: [interval] }]), at("17:00"), at("23:00"));
  const [block] = main.rows[0].lanes[0];
  assert.equal(block.kind, "confirmed");
  assert.equal(block.partySize, 2);
  assert.ok(Math.abs(block.left - (2 / 6) * 100) < 1e-9);
  assert.ok(Math.abs(block.width - (2 / 6) * 100) < 1e-9);
  assert.equal(blockLabel(block, translator("en")), "2 guests · Confirmed");
});

test("holds and combinations are labelled as such, not by colour alone", () => {
  const hold = { kind: "OCCUPANCY_KIND_HOLD", window: window("18:00", "19:00"), allocationId: "h" };
  const combined = { kind: "OCCUPANCY_KIND_ASSIGNED", window: window("20:00", "22:00"), allocationId: "c", bookingId: "x", partySize: 6, combinedTableIds: ["m1", "m2"] };
  const zones = floorRows(PLAN, snapshot([{ tableId: "m1", intervals: [hold, combined] }, { tableId: "m2", intervals: [combined] }]), at("17:00"), at("23:00"));
  const t = translator("en");
  const [m1, m2] = zones[0].rows;
  assert.deepEqual(m1.lanes[0].map((block) => blockLabel(block, t)), ["Hold", "6 guests · Assigned · with M2"]);
  assert.equal(blockLabel(m2.lanes[0][0], t), "6 guests · Assigned · with M1");
  assert.equal(blockLabel(m2.lanes[0][0], translator("fr")), "6 convives · Attribuée · avec M1");
});

test("blocks that would overlap are put in separate lanes, so none hides another", () => {
  const blocks = [
    { startMs: 0, endMs: 10 },
    { startMs: 5, endMs: 15 },
    { startMs: 10, endMs: 20 },
    { startMs: 12, endMs: 13 },
  ];
  const lanes = lanesOf(blocks);
  for (const lane of lanes) {
    for (let i = 1; i < lane.length; i += 1) assert.ok(lane[i - 1].endMs <= lane[i].startMs);
  }
  assert.equal(lanes.flat().length, blocks.length);
  assert.equal(lanes.length, 3);
});

test("a plan's moves take bookings off their tables and show them, marked proposed, where they would go", () => {
  const interval = { kind: "OCCUPANCY_KIND_CONFIRMED", window: window("19:00", "21:00"), allocationId: "a", bookingId: "b", partySize: 2 };
  const move = { bookingId: "b", partySize: 2, window: window("19:00", "21:00"), fromTableIds: ["m2"], toTableIds: ["m1"] };
  const zones = floorRows(PLAN, snapshot([{ tableId: "m2", intervals: [interval] }]), at("17:00"), at("23:00"), [move]);
  const [m1, m2] = zones[0].rows;
  assert.deepEqual(m2.lanes, [[]]);
  assert.equal(m1.lanes[0][0].kind, "proposed");
  assert.equal(blockLabel(m1.lanes[0][0], translator("en")), "2 guests · Proposed · from M2");
});

test("blocks outside the drawn span are left out and those across its edges are cut to it", () => {
  const early = { kind: "OCCUPANCY_KIND_CONFIRMED", window: window("12:00", "13:00"), allocationId: "e", bookingId: "e", partySize: 2 };
  const across = { kind: "OCCUPANCY_KIND_CONFIRMED", window: window("16:00", "18:00"), allocationId: "x", bookingId: "x", partySize: 2 };
  const [main] = floorRows(PLAN, snapshot([{ tableId: "m1", intervals: [early, across] }]), at("17:00"), at("23:00"));
  const blocks = main.rows[0].lanes.flat();
  assert.deepEqual(blocks.map((block) => block.bookingId), ["x"]);
  assert.equal(blocks[0].left, 0);
  assert.ok(Math.abs(blocks[0].width - (1 / 6) * 100) < 1e-9);
});

test("the drawn day spans the day's service periods with room for the last turns", () => {
  const policy = {
    servicePeriods: [
      { name: "lunch", weekdays: ["WEEKDAY_MONDAY"], firstSeating: { hours: 12 }, lastSeating: { hours: 14, minutes: 30 } },
      { name: "dinner", weekdays: [], firstSeating: { hours: 17, minutes: 30 }, lastSeating: { hours: 21 } },
    ],
  };
  assert.deepEqual(dayRange(policy, "WEEKDAY_MONDAY"), { from: 11 * 60, to: 24 * 60 });
  assert.deepEqual(dayRange(policy, "WEEKDAY_TUESDAY"), { from: 16 * 60, to: 24 * 60 });
  assert.deepEqual(dayRange({}, "WEEKDAY_TUESDAY"), { from: 0, to: 24 * 60 });
  assert.deepEqual(hourMarks(16 * 60 + 30, 19 * 60), [17 * 60, 18 * 60]);
});

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test("for any blocks, every block is drawn once and no two blocks of a lane overlap", () => {
  for (let seed = 1; seed <= 300; seed += 1) {
    const next = random(seed);
    const blocks = Array.from({ length: Math.floor(next() * 12) }, (_, i) => {
      const startMs = Math.floor(next() * 100);
      return { key: i, startMs, endMs: startMs + 1 + Math.floor(next() * 40) };
    });
    const lanes = lanesOf(blocks);
    assert.deepEqual(lanes.flat().map((block) => block.key).sort((a, b) => a - b), blocks.map((block) => block.key), `seed ${seed}`);
    for (const lane of lanes) {
      const ordered = [...lane].sort((a, b) => a.startMs - b.startMs);
      for (let i = 1; i < ordered.length; i += 1) assert.ok(ordered[i - 1].endMs <= ordered[i].startMs, `seed ${seed}`);
    }
  }
});
