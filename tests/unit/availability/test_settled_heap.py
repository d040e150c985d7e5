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

before = Node()
before.cycle = before
main.settle_heap()
print(gc.get_threshold()[0], gc.get_freeze_count() > 0)
after = Node()
after.cycle = after
gone = weakref.ref(after)
del after
gc.collect()
print(gone() is None)
"""


def _run() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_start_up_heap_is_frozen_and_young_collections_are_rarer():
    threshold, frozen, _ = _run()
    assert int(threshold) == 10_000
    assert frozen == "True"


def test_garbage_made_after_start_is_still_collected():
    *_, collected = _run()
    assert collected == "True"
