/** The floor as rows and blocks: tables grouped by zone, each booking, hold or proposed move placed on a time axis. */

export const KIND_LABELS = {
  OCCUPANCY_KIND_CONFIRMED: "confirmed",
  OCCUPANCY_KIND_ASSIGNED: "assigned",
  OCCUPANCY_KIND_HOLD: "hold",
  OCCUPANCY_KIND_SEATED: "seated",
};

/**
 * The rows of the floor over [fromMs, toMs).
 *
 * Each table's blocks are laid into lanes so that no two blocks of one lane overlap: the
 * drawing cannot hide one booking under another, whatever the data says. A plan's moves
 * (optional) take their bookings off their old tables and put them on the new ones, marked
 * as proposed.
 */
export function floorRows(floorPlan, snapshot, fromMs, toMs, moves = []) {
  const span = toMs - fromMs;
  const tablesById = new Map((floorPlan.tables || []).map((table) => [table.tableId, table]));
  const intervals = new Map();
  for (const occupancy of snapshot?.tables || []) {
    intervals.set(occupancy.tableId, occupancy.intervals || []);
  }
  const moved = new Map(moves.map((move) => [move.bookingId, move]));
  const blocksByTable = new Map();
  const add = (tableId, block) => {
    if (!blocksByTable.has(tableId)) blocksByTable.set(tableId, []);
    blocksByTable.get(tableId).push(block);
  };
  for (const [tableId, list] of intervals) {
    for (const interval of list) {
      const move = interval.bookingId ? moved.get(interval.bookingId) : undefined;
      if (move && (move.toTableIds || []).length) continue; // drawn where the plan puts it
      add(tableId, blockOf(interval, tableId, tablesById));
    }
  }
  for (const move of moves) {
    for (const tableId of move.toTableIds || []) {
      add(tableId, proposedBlock(move, tableId, tablesById));
    }
  }
  const zones = [];
  const zoneNames = new Map((floorPlan.zones || []).map((zone) => [zone.zoneId, zone.displayName || zone.zoneId]));
  for (const zone of floorPlan.zones || []) zones.push({ zoneId: zone.zoneId, name: zoneNames.get(zone.zoneId), rows: [] });
  const zoneOf = new Map(zones.map((zone) => [zone.zoneId, zone]));
  const tables = [...(floorPlan.tables || [])].filter((table) => table.active !== false);
  tables.sort((a, b) => a.tableId.localeCompare(b.tableId));
  for (const table of tables) {
    let zone = zoneOf.get(table.zoneId);
    if (!zone) {
      zone = { zoneId: table.zoneId, name: table.zoneId, rows: [] };
      zones.push(zone);
      zoneOf.set(table.zoneId, zone);
    }
    const visible = (blocksByTable.get(table.tableId) || [])
      .filter((block) => block.endMs > fromMs && block.startMs < toMs)
      .map((block) => ({
        ...block,
        left: clampPercent(((block.startMs - fromMs) / span) * 100),
        width: clampPercent(((Math.min(block.endMs, toMs) - Math.max(block.startMs, fromMs)) / span) * 100),
      }));
    zone.rows.push({
      tableId: table.tableId,
      name: table.displayName || table.tableId,
      seats: table.maxSeats,
      lanes: lanesOf(visible),
    });
  }
  return zones.filter((zone) => zone.rows.length);
}

/** Blocks by start, each in the first lane where it overlaps nothing. */
export function lanesOf(blocks) {
  const lanes = [];
  for (const block of [...blocks].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs)) {
    const lane = lanes.find((candidate) => candidate[candidate.length - 1].endMs <= block.startMs);
    if (lane) lane.push(block);
    else lanes.push([block]);
  }
  return lanes.length ? lanes : [[]];
}

function blockOf(interval, tableId, tablesById) {
  const kind = KIND_LABELS[interval.kind] || "occupied";
  const others = (interval.combinedTableIds || []).filter((id) => id !== tableId);
  return {
    key: `${interval.allocationId}:${tableId}`,
    kind,
    bookingId: interval.bookingId || "",
    allocationId: interval.allocationId || "",
    partySize: interval.partySize || 0,
    startMs: Date.parse(interval.window.startTime),
    endMs: Date.parse(interval.window.endTime),
    combinedWith: others.map((id) => tablesById.get(id)?.displayName || id),
    proposed: false,
    movedFrom: [],
  };
}

function proposedBlock(move, tableId, tablesById) {
  const name = (id) => tablesById.get(id)?.displayName || id;
  return {
    key: `move:${move.bookingId}:${tableId}`,
    kind: "proposed",
    bookingId: move.bookingId,
    allocationId: "",
    partySize: move.partySize || 0,
    startMs: Date.parse(move.window.startTime),
    endMs: Date.parse(move.window.endTime),
    combinedWith: (move.toTableIds || []).filter((id) => id !== tableId).map(name),
    proposed: true,
    movedFrom: (move.fromTableIds || []).map(name),
  };
}

function clampPercent(value) {
  return Math.max(0, Math.min(100, value));
}

/** The label a block shows: party size, state and, where it applies, its combination or origin. */
export function blockLabel(block, t) {
  const parts = block.partySize ? [t("party", { size: block.partySize })] : []; // a hold may name no party
  parts.push(t(`kind.${block.kind}`));
  if (block.combinedWith.length) parts.push(t("combinedWith", { tables: block.combinedWith.join("+") }));
  if (block.proposed) parts.push(block.movedFrom.length ? t("movedFrom", { tables: block.movedFrom.join("+") }) : t("newSeat"));
  return parts.join(" · ");
}

/** The hours to draw as columns: every local hour of [fromMinutes, toMinutes). */
export function hourMarks(fromMinutes, toMinutes) {
  const marks = [];
  for (let minute = Math.ceil(fromMinutes / 60) * 60; minute < toMinutes; minute += 60) marks.push(minute);
  return marks;
}

/** The part of the day worth drawing, in local minutes: the service periods with room for their last turns. */
export function dayRange(policy, weekday) {
  const periods = (policy?.servicePeriods || []).filter(
    (period) => !(period.weekdays || []).length || period.weekdays.includes(weekday),
  );
  if (!periods.length) return { from: 0, to: 24 * 60 };
  const minutes = (time) => (time?.hours || 0) * 60 + (time?.minutes || 0);
  const first = Math.min(...periods.map((period) => minutes(period.firstSeating)));
  const last = Math.max(...periods.map((period) => minutes(period.lastSeating)));
  return { from: Math.max(0, Math.floor(first / 60) * 60 - 60), to: Math.min(24 * 60, Math.ceil(last / 60) * 60 + 180) };
}
