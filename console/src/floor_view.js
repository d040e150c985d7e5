/** Draws the floor: a table per zone group, a row per table, blocks on the time axis; the live status; the waiting list. */

import { localTime } from "./clock.js";
import { h, fill, redraw } from "./dom.js";
import { blockLabel, floorRows, hourMarks } from "./floor.js";

export class FloorView {
  constructor(app, { floor, live, legend, waiting }) {
    this.app = app;
    this.nodes = { floor, live, legend, waiting };
    this.drawLegend();
  }

  drawLegend() {
    const t = this.app.t;
    fill(
      this.nodes.legend,
      h("span", { class: "visually-hidden" }, t("legend")),
      ["confirmed", "assigned", "hold", "seated", "proposed"].map((kind) =>
        h("span", { class: `block ${kind}` }, t(`kind.${kind}`)),
      ),
    );
  }

  /** Say whether the floor is live, and which version it shows. */
  status({ live, version }) {
    const t = this.app.t;
    const node = this.nodes.live;
    if (live) {
      node.dataset.state = "live";
      node.textContent = t("live", { version });
    } else if (version === null || version === undefined) {
      node.dataset.state = "connecting";
      node.textContent = t("connecting");
    } else {
      node.dataset.state = "stale";
      node.textContent = t("reconnecting", { version });
    }
  }

  render() {
    const { app } = this;
    const { t, floorPlan, range, snapshot } = app;
    if (!floorPlan || !range) return;
    const timeZone = floorPlan.venue.timeZone || "UTC";
    const zones = floorRows(floorPlan, snapshot, range.fromMs, range.toMs, app.showMoves ? app.moves : []);
    const span = range.toMin - range.fromMin;
    const axis = h(
      "div",
      { class: "axis", "aria-hidden": "true" },
      hourMarks(range.fromMin, range.toMin).map((minute) =>
        h("span", { class: "hour", style: { left: `${((minute - range.fromMin) / span) * 100}%` } },
          `${String(Math.floor(minute / 60) % 24).padStart(2, "0")}:00`),
      ),
    );
    const table = h(
      "table",
      { class: "floor", "data-version": snapshot?.version ?? "" },
      h("caption", { class: "visually-hidden" }, `${t("floor")} ${floorPlan.venue.displayName || floorPlan.venue.venueId} ${app.day}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("table")), h("td", {}, axis))),
      zones.map((zone) =>
        h(
          "tbody",
          { "data-zone": zone.zoneId },
          h("tr", { class: "zone" }, h("th", { scope: "rowgroup", colspan: 2 }, zone.name)),
          zone.rows.map((row) =>
            h(
              "tr",
              { "data-table": row.tableId },
              h("th", { scope: "row" }, `${row.name} · ${t("seats", { seats: row.seats })}`),
              h("td", { class: "timeline" }, row.lanes.map((lane) => h("div", { class: "lane" }, lane.map((block) => this.block(block, row, timeZone))))),
            ),
          ),
        ),
      ),
    );
    redraw(this.nodes.floor, table);
    this.renderWaiting(timeZone);
  }

  block(block, row, timeZone) {
    const { t } = this.app;
    const label = blockLabel(block, t);
    const when = `${localTime(block.startMs, timeZone)}–${localTime(block.endMs, timeZone)}`;
    const attributes = {
      class: `block ${block.kind}${block.combinedWith.length ? " combined" : ""}`,
      style: { left: `${block.left}%`, width: `${block.width}%` },
      title: `${row.name} ${when}: ${label}`,
      "data-booking": block.bookingId || undefined,
      "data-kind": block.kind,
      "data-key": block.key,
    };
    if (!block.bookingId) return h("span", attributes, label);
    return h(
      "button",
      {
        ...attributes,
        type: "button",
        "aria-label": `${row.name}, ${when}, ${label}`,
        onclick: (event) => this.app.openHistory(block.bookingId, event.currentTarget),
      },
      label,
    );
  }

  renderWaiting(timeZone) {
    const { t, snapshot } = this.app;
    const demand = snapshot?.pendingDemand || [];
    fill(
      this.nodes.waiting,
      demand.length
        ? demand.map((item) =>
            h("li", { "data-booking": item.bookingId },
              `${localTime(Date.parse(item.window.startTime), timeZone)} · ${t("party", { size: item.partySize })} · ${t(`state.${item.state}`)}`),
          )
        : h("li", {}, t("noneWaiting")),
    );
  }
}
