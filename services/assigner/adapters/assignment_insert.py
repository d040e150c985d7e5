"""A booking's assignment written in one statement unless it has a live one, and read back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assigner.adapters.allocation_reads import allocation_of, load_groups
from services.assigner.adapters.allocation_writes import refusal
from services.assigner.domain.allocation import Allocation

# Run under the booking's and its venue's locks (allocation_writes.lock_booking), so the live
# assignment it looks for is the one any rival writer of the booking committed; the exclusion
# constraint judges the rows as ever. One round trip where four were (look, insert, read back,
# note the attempt).
INSERT_UNLESS_LIVE = text(
    """
    WITH live AS (
        SELECT group_id FROM allocations
        WHERE booking_id = CAST(:booking_id AS uuid) AND kind = 'ASSIGNMENT'
            AND release_time IS NULL
        LIMIT 1
    ), written AS (
        INSERT INTO allocations (group_id, venue_id, table_id, booking_id, kind, during, actor,
                                 strategy, score_breakdown)
        SELECT CAST(:group_id AS uuid), :venue_id, t.table_id, CAST(:booking_id AS uuid),
            'ASSIGNMENT', tstzrange(CAST(:start AS timestamptz), CAST(:end AS timestamptz), '[)'),
            :actor, :strategy, CAST(:breakdown AS jsonb)
        FROM unnest(CAST(:table_ids AS text[])) AS t(table_id)
        WHERE NOT EXISTS (SELECT 1 FROM live)
        RETURNING venue_id, booking_id, table_id, kind, lower(during) AS start,
            upper(during) AS "end", expire_time, actor, strategy, score_breakdown, create_time,
            release_time
    ), noted AS (
        -- The ASSIGNED attempt of what this statement wrote, numbered after the booking's
        -- last as journey_store.INSERT_ATTEMPT numbers every attempt.
        INSERT INTO assignment_attempts (venue_id, booking_id, attempt_number, outcome, reason,
                                         strategy, table_ids)
        SELECT :venue_id, CAST(:booking_id AS uuid),
            (SELECT count(*) + 1 FROM assignment_attempts
                WHERE booking_id = CAST(:booking_id AS uuid)),
            'ASSIGNED', CAST(:attempt_reason AS text), :strategy, CAST(:table_ids AS text[])
        WHERE CAST(:attempt_reason AS text) IS NOT NULL AND EXISTS (SELECT 1 FROM written)
    )
    SELECT live.group_id AS existing, w.*,
        (SELECT b.party_size FROM bookings b WHERE b.booking_id = CAST(:booking_id AS uuid))
            AS booking_party_size
    FROM (SELECT (SELECT group_id FROM live) AS group_id) AS live
    LEFT JOIN written AS w ON true
    ORDER BY w.table_id
    """
)


async def insert_unless_live(
    db: AsyncConnection,
    venue_id: str,
    booking_id: uuid.UUID,
    table_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    actor: str,
    strategy: str,
    breakdown: dict[str, Any],
    attempt_reason: str | None = None,
) -> tuple[Allocation, bool]:
    """The booking's live assignment, written now over these tables unless it had one, and
    whether this call wrote it; a refusal is raised as the domain's error (insert_rows').
    With `attempt_reason` the ASSIGNED attempt of an assignment it writes is noted with it."""
    group_id = uuid.uuid4()
    values = {
        "group_id": group_id,
        "venue_id": venue_id,
        "booking_id": booking_id,
        "table_ids": sorted(table_ids),
        "start": start,
        "end": end,
        "actor": actor,
        "strategy": strategy,
        "breakdown": json.dumps(breakdown),
        "attempt_reason": attempt_reason,
    }
    try:
        rows = (await db.execute(INSERT_UNLESS_LIVE, values)).mappings().all()
    except IntegrityError as error:
        refused = refusal(error, table_ids, booking_id)
        if refused is None:
            raise
        raise refused from error
    existing = rows[0]["existing"]
    if existing is not None:
        (found,) = await load_groups(db, [existing])
        return found, False
    return allocation_of(group_id, rows), True
