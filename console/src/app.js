/** The console's entry point: signing in, picking a venue and day, and wiring the floor, review and optimizer views. */

import { Api } from "./api.js";
import { localDate, localInstant, rfc3339 } from "./clock.js";
import { h, fill } from "./dom.js";
import { ApiError, messageFor } from "./errors.js";
import { dayRange } from "./floor.js";
import { FloorView } from "./floor_view.js";
import { openHistory } from "./history_view.js";
import { pickLanguage, translator } from "./i18n.js";
import { refused, watch } from "./live.js";
import { OptimizerView } from "./optimizer_view.js";
import { ReviewView } from "./review_view.js";
import { claimsOf, expired, venuesOf } from "./token.js";

const TOKEN_KEY = "maitred.console.token";
const WEEKDAYS = ["WEEKDAY_SUNDAY", "WEEKDAY_MONDAY", "WEEKDAY_TUESDAY", "WEEKDAY_WEDNESDAY", "WEEKDAY_THURSDAY", "WEEKDAY_FRIDAY", "WEEKDAY_SATURDAY"];
const $ = (id) => document.getElementById(id);

const languages = navigator.languages?.length ? [...navigator.languages] : [navigator.language || "en"];
const language = pickLanguage(languages);
const t = translator(language);

const app = {
  t,
  languages,
  api: null,
  venue: null,
  floorPlan: null,
  day: null,
  range: null,
  snapshot: null,
  moves: [],
  showMoves: false,
  watching: null,

  /** Say something to screen readers (a polite live region); the same words twice are said twice. */
  announce(message) {
    const node = $("announcer");
    node.textContent = "";
    requestAnimationFrame(() => {
      node.textContent = message;
    });
  },

  showError(error) {
    const message = error instanceof ApiError ? messageFor(error.status, languages) : String(error?.message || error);
    const node = $("alert");
    node.textContent = t("error", { message });
    node.hidden = false;
  },

  clearError() {
    const node = $("alert");
    node.hidden = true;
    node.textContent = "";
  },

  openHistory(bookingId, opener) {
    return openHistory(app, bookingId, opener);
  },
};

function translatePage() {
  document.documentElement.lang = language;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
}

function hashParams() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

function setHash(values) {
  history.replaceState(null, "", `#${new URLSearchParams(values).toString()}`);
}

async function signIn(token) {
  const claims = claimsOf(token);
  if (!claims) return app.showError(new Error(t("notAToken")));
  if (expired(claims, Date.now())) return app.showError(new Error(t("tokenExpired")));
  app.clearError();
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  app.api = new Api(token.trim(), languages);
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = t("signedInAs", { subject: claims.sub || "?" });
  const venues = await venueChoices(claims);
  fill($("venue"), venues.map((venue) => h("option", { value: venue.venueId }, venue.displayName ? `${venue.displayName} (${venue.venueId})` : venue.venueId)));
  const params = hashParams();
  if (venues.some((venue) => venue.venueId === params.get("venue"))) $("venue").value = params.get("venue");
  if (params.get("day")) $("day").value = params.get("day");
  await showDay();
}

/** The venues the token names, with their names where the API lists them. */
async function venueChoices(claims) {
  const named = venuesOf(claims);
  let listed = [];
  try {
    listed = (await app.api.get("/v1/venues", { pageSize: 500 })).venues || [];
  } catch (error) {
    if (named === "*") app.showError(error);
  }
  if (named === "*") return listed;
  return named.map((venueId) => listed.find((venue) => venue.venueId === venueId) || { venueId });
}

/** Back to the sign-in form (a refused or expired token): the stored token is forgotten. */
function showSignIn() {
  app.watching?.abort();
  sessionStorage.removeItem(TOKEN_KEY);
  $("sign-in").hidden = false;
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
}

function signOut() {
  app.watching?.abort();
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = "";
  location.reload();
}

/** Load the venue's floor plan, then watch the chosen day; a new choice stops the previous watch. */
async function showDay() {
  const venueId = $("venue").value;
  if (!venueId) return;
  app.clearError();
  app.watching?.abort();
  let floorPlan;
  try {
    floorPlan = (await app.api.get(`/v1/venues/${encodeURIComponent(venueId)}/floorPlan`)).floorPlan;
  } catch (error) {
    if (refused(error)) showSignIn();
    app.showError(error);
    return;
  }
  const timeZone = floorPlan.venue.timeZone || "UTC";
  const day = $("day").value || localDate(Date.now(), timeZone);
  $("day").value = day;
  setHash({ venue: venueId, day });
  const [year, month, date] = day.split("-").map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, date)).getUTCDay()];
  const range = dayRange(floorPlan.policy, weekday);
  Object.assign(app, {
    floorPlan,
    venue: floorPlan.venue,
    day,
    snapshot: null,
    moves: [],
    showMoves: false,
    dayStartMs: localInstant(day, 0, timeZone),
    dayEndMs: localInstant(day, 24 * 60, timeZone),
    range: { fromMin: range.from, toMin: range.to, fromMs: localInstant(day, range.from, timeZone), toMs: localInstant(day, range.to, timeZone) },
  });
  app.optimizerView.reset();
  app.floorView.render();
  app.floorView.status({ live: false, version: null });
  app.reviewView.load();
  startWatch();
}

function startWatch() {
  const controller = new AbortController();
  app.watching = controller;
  const venue = encodeURIComponent(app.venue.venueId);
  const span = { "window.startTime": rfc3339(app.range.fromMs), "window.endTime": rfc3339(app.range.toMs) };
  watch({
    signal: controller.signal,
    open: (lastVersion, signal) =>
      app.api.stream("GET", `/v1/venues/${venue}/snapshot:watch`, { query: { ...span, lastVersion: lastVersion ?? undefined }, signal }),
    current: async (signal) => (await app.api.get(`/v1/venues/${venue}/snapshot`, span, signal)).snapshot,
    onSnapshot: (message) => {
      if (controller.signal.aborted) return;
      app.snapshot = message.snapshot;
      app.floorView.render();
      app.reviewView.refreshSoon();
    },
    onStatus: (status) => {
      if (controller.signal.aborted) return;
      app.floorView.status(status);
      if (refused(status.error)) showSignIn();
      if (status.error instanceof ApiError) app.showError(status.error);
      else if (status.live) app.clearError();
    },
  });
}

async function main() {
  translatePage();
  app.floorView = new FloorView(app, { floor: $("floor"), live: $("live"), legend: $("legend"), waiting: $("waiting") });
  app.reviewView = new ReviewView(app, { list: $("review"), reason: $("review-reason"), refresh: $("review-refresh") });
  app.optimizerView = new OptimizerView(app, { form: $("optimize-form"), limit: $("time-limit"), progress: $("progress"), plan: $("plan") });
  $("history-close").addEventListener("click", () => $("history").close());
  $("history").addEventListener("close", () => $("history").returnFocus?.focus());
  $("sign-out").addEventListener("click", signOut);
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("token").value);
  });
  $("pick").addEventListener("submit", (event) => {
    event.preventDefault();
    showDay();
  });
  $("dev-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const reply = await fetch("dev-login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": languages.join(", ") },
        body: JSON.stringify({ name: $("dev-name").value }),
      });
      const body = await reply.json();
      if (!reply.ok) throw new ApiError(reply.status, body);
      await signIn(body.token);
    } catch (error) {
      app.showError(error);
    }
  });

  const params = hashParams();
  if (params.get("token")) {
    sessionStorage.setItem(TOKEN_KEY, params.get("token"));
    params.delete("token");
    setHash(params);
  }
  try {
    const config = await (await fetch("config.json")).json();
    $("dev-form").hidden = !config.devLogin;
  } catch {
    $("dev-form").hidden = true;
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) await signIn(token);
  document.body.dataset.ready = "true";
}

main();
