/** A booking's full history (ListBookingHistory) in a modal dialog that gives the focus back when closed. */

import { localDate, localTime } from "./clock.js";
import { h, fill } from "./dom.js";

export async function openHistory(app, bookingId, opener) {
  const { t } = app;
  const dialog = document.getElementById("history");
  try {
    const venue = encodeURIComponent(app.venue.venueId);
    const path = `/v1/venues/${venue}/bookings/${encodeURIComponent(bookingId)}/history`;
    const reply = await app.api.get(path, { pageSize: 500 });
    const timeZone = app.venue.timeZone || "UTC";
    const when = (time) => `${localDate(Date.parse(time), timeZone)} ${localTime(Date.parse(time), timeZone)}`;
    document.getElementById("history-title").textContent = t("historyOf", { id: bookingId });
    fill(
      document.getElementById("history-body"),
      h(
        "ol",
        { class: "history" },
        (reply.changes || []).map((change) =>
          h(
            "li",
            {},
            `${when(change.changeTime)} · ${t(`state.${change.fromState}`)} → ${t(`state.${change.toState}`)}`,
            ` · v${change.version} · ${t("actor", { actor: change.actor })}`,
            change.reason ? ` · ${change.reason}` : "",
          ),
        ),
      ),
    );
    dialog.returnFocus = opener;
    if (!dialog.open) dialog.showModal();
  } catch (error) {
    app.showError(error);
  }
}
