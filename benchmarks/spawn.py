"""Run one command and report its own wall time and peak memory: python -m benchmarks.spawn.

Linux carries a process's peak RSS across fork and exec, so a command started straight from
the benchmark runner (itself large) would report the runner's peak. Started from this small
process instead, the command inherits only this process's few MiB. The command's output
passes through; the last line on standard error is the JSON measurement.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _pid, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_kib": usage.ru_maxrss}), file=sys.stderr)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
