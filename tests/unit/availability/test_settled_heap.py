"""After start, the availability process keeps the collector off its start-up objects."""

from __future__ import annotations

import subprocess
import sys

# In a process of its own: the collector's state is global, and pytest's must stay as it is.
SCRIPT = """
import gc
import weakref
import services.availability.main as main

class Node:
    pass

gc.set_threshold(10**9)  # no automatic collection until settle_heap sets its own threshold
start_up_garbage = Node()
start_up_garbage.cycle = start_up_garbage
dead_at_start = weakref.ref(start_up_garbage)
del start_up_garbage
main.settle_heap()
print(gc.get_threshold()[0], gc.get_freeze_count() > 0, gc.isenabled(), dead_at_start() is None)
after = Node()
after.cycle = after
gone = weakref.ref(after)
del after
keep = [[] for _ in range(25_000)]  # more young containers than the threshold: no gc.collect()
print(gone() is None)
"""


def _run() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_start_up_heap_is_frozen_and_young_collections_are_rarer():
    threshold, frozen, enabled, *_ = _run()
    assert int(threshold) == 10_000
    assert frozen == "True"
    assert enabled == "True"


def test_start_up_garbage_is_collected_not_frozen():
    *_, dead_at_start, _ = _run()
    assert dead_at_start == "True"


def test_garbage_made_after_start_is_collected_without_being_asked():
    *_, collected = _run()
    assert collected == "True"
