"""What of the machine this process may use: the CPUs it is allowed to run on.

One place for the count, read by the server's worker default and by work split over processes.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity on Linux, else every CPU), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
