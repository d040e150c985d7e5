"""The yield (admission) decision: admit a booking, or refuse it to protect forecast peak demand."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from shared.seating.combinations import Candidate, Seat
from shared.seating.demand import SLOT_MINUTES, DemandHistory
from shared.seating.forecast import learn


@dataclass(frozen=True)
class YieldSettings:
    """The venue's yield policy; off by default.

    Cold start: while fewer than `min_days_observed` service days of the request's weekday are
    in the history, every request that fits is admitted.
    """

    enabled: bool = False
    min_days_observed: int = 4
    scenarios: int = 24  # demand scenarios sampled per decision
    margin: float = 0.5  # refuse only when the expected loss beats the gain by more than this
    # Forecast requests whose stay comes this near the request's are seated in the scenarios:
    # those it displaces, and those that the displaced ones would displace in turn.
    reach_minutes: int = 120
    # Seat a scenario's requests largest party first (the covers an operator could still reach)
    # rather than in a random arrival order (what first come first served would reach).
    largest_first: bool = False
    # (largest party, minutes a party holds its tables incl. the cleaning buffer), ascending:
    # how long forecast requests would sit. Larger parties than the last band use the last.
    turn_bands: tuple[tuple[int, int], ...] = ((2, 105), (4, 120), (6, 135), (99, 165))


@dataclass(frozen=True)
class Seated:
    """A booking already holding tables on the service day."""

    table_ids: tuple[str, ...]
    start_minute: int  # local minutes after midnight of the service day
    end_minute: int
    party_size: int


@dataclass(frozen=True)
class AdmissionRequest:
    """The booking being decided."""

    party_size: int
    start_minute: int
    end_minute: int
    weekday: int
    lead_minutes: int  # minutes between now and the requested start


@dataclass(frozen=True)
class AdmissionDecision:
    """Whether to admit, and the expected covers behind the choice."""

    admit: bool
    expected_gain: float  # covers this booking seats
    expected_loss: float  # covers expected to be lost later by seating it now
    protected_slot_minute: int | None
    protected_party_size: int | None
    reason: str  # "" when admitted plainly; else e.g. "protecting 19:30 for forecast 4-tops: ..."


def decide_admission(
    seats: Sequence[Seat],
    candidates: Sequence[Candidate],
    seated: Sequence[Seated],
    request: AdmissionRequest,
    history: DemandHistory,
    settings: YieldSettings,
) -> AdmissionDecision:
    """Admit the request unless seating it now costs more covers in expectation than it gains.

    `seats` are the venue's tables, `candidates` the table sets that may seat a party, `seated`
    the bookings already holding tables that day. The policy samples `settings.scenarios`
    demand scenarios for the requests still to come (Poisson around the forecast, only those
    whose stay overlaps the request's) and seats each scenario first come, best fit, once with
    the request at its best-fitting free table set and once without it. The expected loss is
    the mean of the covers lost; the request is refused when that loss exceeds its party size
    by more than `settings.margin`. It is admitted plainly when yield is off, in a cold start
    (fewer than `min_days_observed` days of its weekday known) and when nothing fits it now.
    The scenarios are seeded by the request, so the same inputs give the same decision.
    """
    gain = float(request.party_size)
    plain = AdmissionDecision(True, gain, 0.0, None, None, "")
    if not settings.enabled:
        return plain
    forecast = learn(history, request.weekday, settings.min_days_observed)
    if forecast is None:
        return plain
    floor = _Floor(seats, candidates, seated)
    span = _mask(request.start_minute, request.end_minute)
    choice = floor.best_fit(request.party_size, span)
    if choice is None:
        return plain
    now = request.start_minute - request.lead_minutes
    rivals = _rivals(forecast.remaining(now), request, settings)
    if not rivals:
        return plain
    loss, lost_by_kind = _expected_loss(floor, choice, span, rivals, request, settings)
    if loss <= gain + settings.margin:
        return AdmissionDecision(True, gain, loss, None, None, "")
    (slot, party), _ = max(lost_by_kind.items(), key=lambda item: (item[1], item[0]))
    reason = (
        f"protecting {slot // 60:02d}:{slot % 60:02d} for forecast {party}-tops: "
        f"expected loss {loss:.1f} covers"
    )
    return AdmissionDecision(False, gain, loss, slot, party, reason)


Rival = tuple[int, int, float, int]  # slot minute, party size, expected requests, span mask


def _rivals(
    remaining: dict[tuple[int, int], float], request: AdmissionRequest, settings: YieldSettings
) -> list[Rival]:
    """The forecast requests to come whose stay is within `reach_minutes` of the request's."""
    low = request.start_minute - settings.reach_minutes
    high = request.end_minute + settings.reach_minutes
    found = []
    for (slot, party), rate in sorted(remaining.items()):
        end = slot + _turn(party, settings)
        if slot < high and low < end and rate > 0:
            found.append((slot, party, rate, _mask(slot, end)))
    return found


def _expected_loss(
    floor: _Floor,
    choice: Candidate,
    span: int,
    rivals: list[Rival],
    request: AdmissionRequest,
    settings: YieldSettings,
) -> tuple[float, dict[tuple[int, int], float]]:
    """Mean covers lost over the scenarios by seating the request now, and who loses them."""
    rng = random.Random(
        f"{request.weekday}/{request.start_minute}/{request.party_size}/{request.lead_minutes}"
    )
    total = 0
    by_kind: dict[tuple[int, int], float] = {}
    for _ in range(max(settings.scenarios, 1)):
        arrivals = [
            (slot, party, mask)
            for slot, party, rate, mask in rivals
            for _ in range(_poisson(rate, rng))
        ]
        rng.shuffle(arrivals)
        if settings.largest_first:
            arrivals.sort(key=lambda arrival: -arrival[1])
        without = floor.seat_all(arrivals, None, 0)
        admitted = floor.seat_all(arrivals, choice, span)
        for index, (slot, party, _) in enumerate(arrivals):
            if without[index] and not admitted[index]:
                total += party
                by_kind[(slot, party)] = by_kind.get((slot, party), 0.0) + party
            elif admitted[index] and not without[index]:
                total -= party
    runs = max(settings.scenarios, 1)
    return total / runs, {kind: covers / runs for kind, covers in by_kind.items()}


class _Floor:
    """Table occupancy as bitmasks over the day's slots, and the best-fitting free table set."""

    def __init__(
        self, seats: Sequence[Seat], candidates: Sequence[Candidate], seated: Sequence[Seated]
    ) -> None:
        known = {seat.table_id for seat in seats}
        self.busy: dict[str, int] = dict.fromkeys(known, 0)
        for booking in seated:
            for table_id in booking.table_ids:
                if table_id in self.busy:
                    self.busy[table_id] |= _mask(booking.start_minute, booking.end_minute)
        usable = [c for c in candidates if known.issuperset(c.table_ids)]
        self.ranked = sorted(usable, key=lambda c: (len(c.table_ids), c.max_seats, c.table_ids))
        self._fits: dict[int, list[_Fit]] = {}

    def fits(self, party_size: int) -> list[_Fit]:
        """The table sets that seat the party, best ranked first, with their tables and rank."""
        found = self._fits.get(party_size)
        if found is None:
            found = [
                (c, c.table_ids, (len(c.table_ids), c.max_seats))
                for c in self.ranked
                if c.fits(party_size)
            ]
            self._fits[party_size] = found
        return found

    def best_fit(self, party_size: int, span: int) -> Candidate | None:
        return _snug_fit(self.fits(party_size), self.busy, span)

    def seat_all(
        self, arrivals: list[tuple[int, int, int]], first: Candidate | None, span: int
    ) -> list[bool]:
        """Seat `first` over `span`, then each arrival in turn at its best free fit."""
        busy = dict(self.busy)
        for table_id in first.table_ids if first else ():
            busy[table_id] |= span
        seated = []
        for _, party, mask in arrivals:
            candidate = _snug_fit(self.fits(party), busy, mask)
            for table_id in candidate.table_ids if candidate else ():
                busy[table_id] |= mask
            seated.append(candidate is not None)
        return seated


_Fit = tuple[Candidate, tuple[str, ...], tuple[int, int]]  # a set, its tables, (tables, seats)


def _snug_fit(ranked: list[_Fit], busy: dict[str, int], span: int) -> Candidate | None:
    """The first free candidate of the best (tables, seats) rank, and among those of its rank
    the one stranding the fewest slots next to its tables' other bookings (the engine, unlike
    this, ranks stranded minutes before tables and seats among plans of equal score). Plain
    loops: this runs for every arrival of every scenario."""
    best: Candidate | None = None
    best_rank = None
    best_stranded = 0
    for candidate, tables, rank in ranked:
        if best_rank is not None and rank != best_rank:
            break
        for table_id in tables:
            if busy[table_id] & span:
                break
        else:
            stranded = 0
            for table_id in tables:
                stranded += _stranded(busy[table_id], span)
            if best is None or stranded < best_stranded:
                best, best_rank, best_stranded = candidate, rank, stranded
                if stranded == 0:
                    break
    return best


def _stranded(busy: int, span: int) -> int:
    """Free slots between `span` and the table's nearest busy slots, in gaps shorter than it."""
    low = (span & -span).bit_length() - 1
    high = span.bit_length()
    stay = high - low
    stranded = 0
    before = (busy & ((1 << low) - 1)).bit_length()
    if before and low - before < stay:
        stranded += low - before
    later = busy >> high
    if later:
        gap = (later & -later).bit_length() - 1
        if gap < stay:
            stranded += gap
    return stranded


def _mask(start_minute: int, end_minute: int) -> int:
    """The day's slots that [start, end) touches, as bits (slot 0 = midnight; earlier clamps)."""
    first = max(start_minute, 0) // SLOT_MINUTES
    last = max(-(-end_minute // SLOT_MINUTES), first)
    return ((1 << (last - first)) - 1) << first


def _turn(party_size: int, settings: YieldSettings) -> int:
    for largest, minutes in settings.turn_bands:
        if party_size <= largest:
            return minutes
    return settings.turn_bands[-1][1]


def _poisson(rate: float, rng: random.Random) -> int:
    """A Poisson draw by Knuth's method (rates here are a few requests at most)."""
    limit, count, product = pow(2.718281828459045, -rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
