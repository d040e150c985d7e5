"""The fingerprint earlier releases stored for a create request, so their retries still replay."""

from __future__ import annotations

import hashlib
import json

from services.state.domain.validation import NewBooking


def legacy_fingerprint(new: NewBooking) -> str:
    """The digest releases before the whole-request fingerprint wrote, over the fields they knew.

    Idempotency keys are kept, so a client may retry a request stored by such a release after an
    upgrade; this is how its payload is still told from a reused request id.
    """
    payload = {
        "venue_id": new.venue_id,
        "party_size": new.party_size,
        "start_time": new.start_time.isoformat() if new.start_time else None,
        "guest_reference": new.guest_reference,
        "notes": new.notes,
        "preferred_zone_id": new.preferred_zone_id,
        "pinned": new.pinned,
    }
    # A field added since then enters only when set (`if new.x: payload["x"] = new.x`), so a
    # retry that carries it never matches a digest stored by a release that did not know it.
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
