/** The manual-review queue: bookings with their reasons; suggested seatings with each strategy's reasons; assign, confirm, reject, history. */

import { localTime, rfc3339 } from "./clock.js";
import { h, fill, redraw } from "./dom.js";

const QUEUE_STATES = ["BOOKING_STATE_MANUAL_REVIEW", "BOOKING_STATE_ASSIGNED"];

export class ReviewView {
  constructor(app, { list, reason, refresh }) {
    this.app = app;
    this.nodes = { list, reason };
    this.plans = new Map(); // booking id -> its quoted plans, while shown
    this.timer = null;
    refresh.addEventListener("click", () => this.load());
  }

  path(bookingId, suffix = "") {
    const venue = encodeURIComponent(this.app.venue.venueId);
    return `/v1/venues/${venue}/bookings/${encodeURIComponent(bookingId)}${suffix}`;
  }

  /** Reload soon after a floor change (several changes in a burst make one reload). */
  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 300);
  }

  async load() {
    const { app } = this;
    if (!app.venue || !app.range) return;
    const venueId = app.venue.venueId;
    try {
      const reply = await app.api.get(`/v1/venues/${encodeURIComponent(venueId)}/bookings`, {
        states: QUEUE_STATES,
        startTimeFrom: rfc3339(app.dayStartMs),
        startTimeTo: rfc3339(app.dayEndMs),
        pageSize: 200,
      });
      if (app.venue?.venueId !== venueId) return; // the venue changed meanwhile
      this.bookings = reply.bookings || [];
      this.render();
    } catch (error) {
      app.showError(error);
    }
  }

  render() {
    const { t, floorPlan } = this.app;
    const timeZone = floorPlan.venue.timeZone || "UTC";
    const bookings = this.bookings || [];
    if (!bookings.length) {
      fill(this.nodes.list, h("p", { class: "empty" }, t("reviewEmpty")));
      return;
    }
    const table = h(
      "table",
      { class: "data review" },
      h("caption", { class: "visually-hidden" }, t("review")),
      h("thead", {}, h("tr", {}, [t("starts"), t("booking"), t("reason"), t("state"), t("actions")].map((name) => h("th", { scope: "col" }, name)))),
      h(
        "tbody",
        {},
        bookings.map((booking) => [
          h(
            "tr",
            { "data-booking": booking.bookingId, "data-state": booking.state },
            h("td", {}, localTime(Date.parse(booking.startTime), timeZone)),
            h("th", { scope: "row" }, `${t("party", { size: booking.partySize })} · ${booking.guestReference || booking.bookingId.slice(0, 8)}`),
            h("td", { class: "reason" }, booking.stateReason || "—"),
            h("td", {}, t(`state.${booking.state}`), booking.tableIds?.length ? ` (${booking.tableIds.map((id) => this.tableName(id)).join("+")})` : ""),
            h("td", { class: "actions" }, this.actions(booking)),
          ),
          this.plans.has(booking.bookingId) ? h("tr", { class: "plans-row" }, h("td", { colspan: 5 }, this.planList(booking))) : null,
        ]),
      ),
    );
    redraw(this.nodes.list, table);
  }

  tableName(tableId) {
    return this.app.floorPlan.tables.find((table) => table.tableId === tableId)?.displayName || tableId;
  }

  actions(booking) {
    const { t } = this.app;
    const who = `${t("party", { size: booking.partySize })} ${localTime(Date.parse(booking.startTime), this.app.floorPlan.venue.timeZone || "UTC")}`;
    const button = (key, run) =>
      h("button", { type: "button", "data-action": key, "data-key": `${booking.bookingId}:${key}`, "aria-label": `${t(key)}: ${who}`, onclick: run }, t(key));
    const review = booking.state === "BOOKING_STATE_MANUAL_REVIEW";
    return [
      review ? button("quote", () => this.quote(booking)) : null,
      booking.state === "BOOKING_STATE_ASSIGNED" ? button("confirm", () => this.confirm(booking)) : null,
      review ? button("reject", () => this.reject(booking)) : null,
      button("history", (event) => this.app.openHistory(booking.bookingId, event.currentTarget)),
    ];
  }

  planList(booking) {
    const { t } = this.app;
    const plans = this.plans.get(booking.bookingId) || [];
    if (!plans.length) return h("p", {}, t("noPlans"));
    return [
      h("h3", { id: `plans-${booking.bookingId}`, tabindex: "-1" }, t("plans", { size: booking.partySize })),
      h(
        "ol",
        { class: "plans", "aria-labelledby": `plans-${booking.bookingId}` },
        plans.map((plan) => {
          const names = plan.tableIds.map((id) => this.tableName(id)).join("+");
          return h(
            "li",
            { "data-tables": plan.tableIds.join(",") },
            h("strong", {}, `${names} · ${t("seats", { seats: plan.totalSeats })} · ${t("score", { score: plan.totalScore.toFixed(2) })}`),
            h("ul", {}, (plan.contributions || []).map((part) =>
              h("li", {}, `${part.strategy} (${part.score.toFixed(2)} × ${part.weight}): ${part.reason}`))),
            h("button", { type: "button", "data-action": "assign", "data-key": `${booking.bookingId}:assign:${plan.tableIds.join("+")}`, onclick: () => this.assign(booking, plan) }, t("assign", { tables: names })),
          );
        }),
      ),
    ];
  }

  reason() {
    return this.nodes.reason.value.trim() || "resolved by hand in the ops console";
  }

  async quote(booking) {
    await this.run(async () => {
      const venue = encodeURIComponent(this.app.venue.venueId);
      const reply = await this.app.api.post(`/v1/venues/${venue}:quoteTables`, { bookingId: booking.bookingId, maxPlans: 5 });
      this.plans.set(booking.bookingId, reply.plans || []);
      this.render();
      this.app.announce(this.app.t("plans", { size: booking.partySize }));
      document.getElementById(`plans-${booking.bookingId}`)?.focus?.();
    });
  }

  async assign(booking, plan) {
    await this.run(async () => {
      const reply = await this.app.api.post(this.path(booking.bookingId, ":manualAssign"), {
        expectedVersion: booking.version,
        tableIds: plan.tableIds,
        reason: this.reason(),
      });
      this.plans.delete(booking.bookingId);
      this.app.announce(this.app.t("assigned", { tables: (reply.booking?.tableIds || plan.tableIds).map((id) => this.tableName(id)).join("+") }));
    });
  }

  async confirm(booking) {
    await this.run(async () => {
      await this.app.api.post(this.path(booking.bookingId, ":confirm"), { expectedVersion: booking.version, reason: this.reason() });
      this.app.announce(this.app.t("confirmed"));
    });
  }

  async reject(booking) {
    await this.run(async () => {
      await this.app.api.post(this.path(booking.bookingId, ":resolveManualReview"), {
        expectedVersion: booking.version,
        targetState: "BOOKING_STATE_REJECTED",
        reason: this.reason(),
      });
      this.app.announce(this.app.t("rejected"));
    });
  }

  /** Do one change; whatever happens, show the queue as the API now has it. */
  async run(change) {
    this.app.clearError();
    try {
      await change();
    } catch (error) {
      this.app.showError(error);
    }
    await this.load();
  }
}
