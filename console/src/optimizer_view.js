/** The optimizer panel: a dry run with live progress (objective and bound), the proposed moves (also drawn on the floor), apply. */

import { localTime } from "./clock.js";
import { h, fill } from "./dom.js";

export class OptimizerView {
  constructor(app, { form, limit, progress, plan }) {
    this.app = app;
    this.nodes = { form, limit, progress, plan };
    this.running = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.dryRun();
    });
  }

  reset() {
    this.running?.abort();
    this.running = null;
    this.plan = null;
    this.app.moves = [];
    fill(this.nodes.progress);
    fill(this.nodes.plan);
  }

  async dryRun() {
    const { app } = this;
    const { t } = app;
    this.reset();
    app.clearError();
    const controller = new AbortController();
    this.running = controller;
    const venue = encodeURIComponent(app.venue.venueId);
    const seconds = Math.max(1, Math.min(300, Number(this.nodes.limit.value) || 5));
    const button = this.nodes.form.querySelector("button");
    button.disabled = true;
    app.announce(t("running"));
    let lastPhase = "";
    try {
      const stream = app.api.stream("POST", `/v1/venues/${venue}/days/${app.day}:optimize`, {
        body: { requestId: crypto.randomUUID(), options: { dryRun: true, timeLimit: `${seconds}s` } },
        signal: controller.signal,
      });
      for await (const message of stream) {
        if (controller.signal.aborted) return;
        if (message.progress) {
          this.showProgress(message.progress);
          if (message.progress.phase !== lastPhase) {
            lastPhase = message.progress.phase;
            app.announce(`${t("phase")}: ${phaseName(lastPhase)}`);
          }
        }
        if (message.plan) this.showPlan(message.plan);
      }
    } catch (error) {
      if (!controller.signal.aborted) app.showError(error);
    } finally {
      button.disabled = false;
    }
  }

  showProgress(progress) {
    const { t } = this.app;
    const row = (key, value, name) => [h("dt", {}, t(key)), h("dd", { "data-field": name }, value)];
    fill(
      this.nodes.progress,
      h("h3", {}, t("progress")),
      h(
        "dl",
        { class: "progress" },
        row("phase", phaseName(progress.phase), "phase"),
        row("solutions", String(progress.solutionsFound ?? 0), "solutions"),
        row("objective", number(progress.bestObjective), "objective"),
        row("bound", number(progress.bestBound), "bound"),
      ),
    );
  }

  showPlan(plan) {
    const { app } = this;
    const { t } = app;
    this.plan = plan;
    const moves = [...(plan.moves || []), ...(plan.newAssignments || [])];
    app.moves = moves;
    app.showMoves = moves.length > 0;
    app.floorView.render();
    const timeZone = app.floorPlan.venue.timeZone || "UTC";
    const name = (id) => app.floorPlan.tables.find((table) => table.tableId === id)?.displayName || id;
    const summary = t("planReady", { status: statusName(plan.status), moves: moves.length, benefit: number(plan.benefitPercent) });
    const toggle = h("button", {
      type: "button",
      "aria-pressed": String(app.showMoves),
      onclick: (event) => {
        app.showMoves = !app.showMoves;
        event.currentTarget.setAttribute("aria-pressed", String(app.showMoves));
        app.floorView.render();
        if (app.showMoves) app.announce(t("proposedShown"));
      },
    }, t("showOnFloor"));
    const canApply = Boolean(plan.planId) && moves.length > 0 && ["PLAN_STATUS_PROPOSED", "PLAN_STATUS_BELOW_THRESHOLD"].includes(plan.status);
    fill(
      this.nodes.plan,
      h("p", { id: "plan-summary", "data-status": plan.status }, summary, ` (${number(plan.currentObjective)} → ${number(plan.newObjective)}, ${t("bound")} ${number(plan.bestBound)})`),
      moves.length
        ? [
            h("table", { class: "data moves" },
              h("caption", {}, t("moves")),
              h("thead", {}, h("tr", {}, [t("booking"), t("starts"), t("from"), t("to")].map((head) => h("th", { scope: "col" }, head)))),
              h("tbody", {}, moves.map((move) =>
                h("tr", { "data-booking": move.bookingId },
                  h("th", { scope: "row" }, t("party", { size: move.partySize })),
                  h("td", {}, localTime(Date.parse(move.window.startTime), timeZone)),
                  h("td", {}, (move.fromTableIds || []).map(name).join("+") || "—"),
                  h("td", {}, (move.toTableIds || []).map(name).join("+"))),
              ))),
            toggle,
          ]
        : h("p", {}, t("noMoves")),
      canApply ? h("button", { type: "button", id: "apply-plan", onclick: () => this.apply(plan) }, t("apply")) : null,
    );
    app.announce(summary);
  }

  async apply(plan) {
    const { app } = this;
    const { t } = app;
    app.clearError();
    try {
      const venue = encodeURIComponent(app.venue.venueId);
      const reply = await app.api.post(`/v1/venues/${venue}/plans/${encodeURIComponent(plan.planId)}:apply`, {
        force: plan.status === "PLAN_STATUS_BELOW_THRESHOLD",
        reason: "applied from the ops console",
      });
      app.moves = [];
      app.showMoves = false;
      app.floorView.render();
      fill(this.nodes.plan, h("p", { id: "plan-summary", "data-status": reply.plan?.status }, t("applied", { status: statusName(reply.plan?.status) })));
      app.announce(t("applied", { status: statusName(reply.plan?.status) }));
    } catch (error) {
      app.showError(error);
    }
  }
}

function phaseName(phase) {
  return String(phase || "").replace("OPTIMIZATION_PHASE_", "").toLowerCase();
}

function statusName(status) {
  return String(status || "").replace("PLAN_STATUS_", "").toLowerCase().replace(/_/g, " ");
}

function number(value) {
  const parsed = Number(value ?? 0);
  return Number.isFinite(parsed) ? parsed.toFixed(1) : "—";
}
