"""The venue policy a venue seats by until ops set its own, defined once for every service.

Migrations keep the server defaults they were written with; everything else imports these.
"""

from __future__ import annotations

from datetime import timedelta

# A party may sit at up to this many joined tables.
MAX_TABLES_PER_COMBINATION = 3
# Bookings this near their start stay where they are: no move, no re-plan.
FREEZE_WINDOW = timedelta(minutes=60)
# A re-plan is worth applying when it improves the day by at least this much.
OPTIMIZER_THRESHOLD_PERCENT = 10.0
# How long a hold keeps its tables.
HOLD_TTL = timedelta(minutes=3)
# How many assignment attempts a booking gets before manual review.
RETRY_ATTEMPTS = 5
