"""Run a module or a snippet, then write the peak memory of this process to a file.

Run: ``python benchmarks/peak.py OUT -m MODULE ARG...`` or ``python benchmarks/peak.py OUT -c
CODE ARG...``. At exit, whatever the exit status, OUT receives the peak resident memory in
bytes.

Why not the ``ru_maxrss`` that ``wait4`` reports: on Linux a child started by ``fork`` or
``vfork`` keeps the high-water mark of its parent's memory across ``exec``, so every command a
big benchmark process starts would appear at least as big as the benchmark. ``VmHWM`` in
``/proc/self/status`` counts only this program's own memory. Elsewhere ``ru_maxrss`` is the
fallback.
"""

from __future__ import annotations

import atexit
import runpy
import sys


def peak_bytes() -> int:
    """The peak resident memory of this process since it started its program."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux and the BSDs count KiB, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024


def main() -> None:
    """Run what the command line names, recording the peak at exit."""
    out, how, what, *args = sys.argv[1:]

    def record() -> None:
        with open(out, "w", encoding="ascii") as handle:
            handle.write(str(peak_bytes()))

    atexit.register(record)
    if how == "-m":
        sys.argv = [what, *args]
        runpy.run_module(what, run_name="__main__", alter_sys=True)
    elif how == "-c":
        sys.argv = ["-c", *args]
        exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit(f"peak.py: expected -m MODULE or -c CODE, not {how!r}")


if __name__ == "__main__":
    main()
