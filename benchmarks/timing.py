"""Interleaved timing and the shared shape of a result row, for every benchmark suite.

A row compares one msgtemplates figure with one reference measured in the same run:
``ratio`` is ours / reference, so below 1 we are faster. ``target`` is the highest ratio
that passes (``None`` for a row shown only for context); a row with ``strictly`` passes only
below it. ``ours_seconds`` and ``reference_seconds`` are seconds, or bytes for a row whose
``unit`` is ``"B"``, or bytes per distinct requestId for ``"B/id"``. A row that could not be
measured (the function it times does not exist yet) has ``None`` for both figures and ratio,
and ``met`` is ``None``: it prints as ``n/a`` and is no miss.
"""

from __future__ import annotations

import argparse
import collections.abc as cabc
import json
import os
import statistics
import time
import timeit
import typing as t

#: Rounds of every in-process comparison; each figure is the median over rounds.
ROUNDS = 31
#: Rounds of the same with ``--quick``.
QUICK_ROUNDS = 9
# Each timed batch lasts about this long: long enough to dwarf the timer, short enough to
# interleave many rounds.
BATCH_SECONDS = 0.004

Candidates = cabc.Mapping[str, tuple[str, dict[str, t.Any]]]


def _clock() -> cabc.Callable[[], float]:
    """The clock of in-process rounds: this thread's CPU time where it is precise, else wall time.

    On a machine shared with other work, wall time also counts the moments the scheduler gives
    the core to another process, and those fall on the candidates unevenly; the calls measured
    here never wait for anything, so the thread's CPU time is their own cost alone.
    """
    try:
        precise = time.get_clock_info("thread_time").resolution <= 1e-6
    except (AttributeError, OSError, ValueError):
        precise = False
    return time.thread_time if precise else time.perf_counter


#: What :func:`measure` reads: ``time.thread_time`` on Linux and macOS.
CLOCK = _clock()


def measure(candidates: Candidates, /, *, rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds per call of each candidate, over interleaved rounds in rotating order.

    Every candidate is a statement and the namespace it runs in, timed with :mod:`timeit`
    exactly as a user would write the call, so no wrapper adds its own cost. The clock is
    :data:`CLOCK`.

    :param candidates: name -> (statement, namespace).
    :param rounds: how many rounds; every candidate runs once per round.
    :returns: name -> median seconds per call.
    """
    timers = {
        name: timeit.Timer(statement, timer=CLOCK, globals=dict(namespace))
        for name, (statement, namespace) in candidates.items()
    }
    numbers = {}
    for name, timer in timers.items():
        count, seconds = timer.autorange()
        numbers[name] = max(1, int(count * BATCH_SECONDS / seconds))
    samples: dict[str, list[float]] = {name: [] for name in timers}
    names = list(timers)
    for round_ in range(rounds):
        # Rotating the order spreads any drift of the machine over every candidate alike.
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(timers[name].timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def row(
    name: str,
    ours: float,
    reference: str,
    reference_seconds: float,
    target: float | None,
    /,
    *,
    strictly: bool = False,
    **extra: t.Any,
) -> dict[str, t.Any]:
    """One comparison: ours against a reference, with the verdict against ``target``.

    :param strictly: pass only when the ratio is below ``target`` ("faster than").

    >>> row("x", 1.0, "y", 4.0, 0.5)["met"], row("x", 1.0, "y", 1.0, 1.0, strictly=True)["met"]
    (True, False)
    """
    ratio = ours / reference_seconds
    return {
        "name": name,
        "ours_seconds": ours,
        "reference": reference,
        "reference_seconds": reference_seconds,
        "ratio": ratio,
        "target": target,
        "strictly": strictly,
        "met": None if target is None else (ratio < target if strictly else ratio <= target),
        **extra,
    }


def unmeasured(
    name: str, reference: str, target: float | None, why: str, /, **extra: t.Any
) -> dict[str, t.Any]:
    """A row that could not be measured, printed as ``n/a`` with the reason in ``note``.

    >>> unmeasured("x", "y", 1.0, "no check_batch yet")["met"] is None
    True
    """
    return {
        "name": name,
        "ours_seconds": None,
        "reference": reference,
        "reference_seconds": None,
        "ratio": None,
        "target": target,
        "strictly": False,
        "met": None,
        "note": why,
        **extra,
    }


def speed(ratio: float, /, *, unit: str = "s") -> str:
    """A ratio ours / reference in words that cannot be misread.

    >>> speed(0.02), speed(2.5), speed(1.0), speed(1 / 1890.4), speed(1.8, unit="B")
    ('50x faster', '2.5x slower', 'same', '1,890x faster', '1.8x more')
    """
    if abs(ratio - 1) < 0.005:
        return "same"
    times = 1 / ratio if ratio < 1 else ratio
    text = f"{times:,.0f}" if times >= 100 else f"{times:.3g}"
    if unit != "s":
        return f"{text}x {'less' if ratio < 1 else 'more'}"
    return f"{text}x {'faster' if ratio < 1 else 'slower'}"


def goal(target: float | None, /, *, unit: str = "s", strictly: bool = False) -> str:
    """A target ratio in the same words as :func:`speed`.

    >>> goal(0.02), goal(1.0), goal(4.0), goal(None), goal(2.0, unit="B")
    ('>= 50x faster', 'no slower', '<= 4x slower', '(context)', '<= 2x more')
    >>> goal(1.0, strictly=True), goal(1.0, unit="B/id")
    ('faster', 'no more')
    """
    if target is None:
        return "(context)"
    if strictly and target == 1:
        return "faster"
    if unit != "s":
        if target == 1:
            return "no more"
        return f"<= {target:g}x more" if target >= 1 else f">= {1 / target:.3g}x less"
    if target < 1:
        return f">= {1 / target:.3g}x faster"
    if target == 1:
        return "no slower"
    return f"<= {target:g}x slower"


def verdict(row: cabc.Mapping[str, t.Any], /) -> str:
    """``PASS``, ``MISS``, ``n/a`` for a row not measured, or nothing for a context row."""
    if row.get("ratio") is None:
        return "n/a"
    met = row.get("met")
    return "" if met is None else ("PASS" if met else "MISS")


def duration(seconds: float, /) -> str:
    """Seconds in the unit that reads best.

    >>> duration(1.5e-6), duration(0.25), duration(12.0)
    ('1.5 us', '250 ms', '12 s')
    """
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def amount(value: float | None, /, *, unit: str = "s") -> str:
    """A measured value: a duration, bytes (``unit="B"``) in MiB, or bytes per requestId.

    >>> amount(0.25), amount(50 * 2**20, unit="B"), amount(17.43, unit="B/id"), amount(None)
    ('250 ms', '50.0 MiB', '17.4 B', 'n/a')
    """
    if value is None:
        return "n/a"
    if unit == "B":
        return f"{value / 2**20:.1f} MiB"
    if unit == "B/id":
        return f"{value:.1f} B"
    return duration(value)


def table(rows: cabc.Iterable[cabc.Mapping[str, t.Any]], /) -> str:
    """The rows as one Markdown table: what, against, both times, how much faster, target."""
    lines = [
        "| what | against | ours | theirs | ours vs theirs | target | |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for item in rows:
        unit = item.get("unit", "s")
        ratio = "n/a" if item["ratio"] is None else speed(item["ratio"], unit=unit)
        target = goal(item["target"], unit=unit, strictly=item.get("strictly", False))
        lines.append(
            f"| {item['name']} | {item['reference']} | {amount(item['ours_seconds'], unit=unit)} "
            f"| {amount(item['reference_seconds'], unit=unit)} | {ratio} | {target} "
            f"| {verdict(item)} |"
        )
    return "\n".join(lines)


def process_environment(cache: str, /) -> dict[str, str]:
    """The environment for timing fresh processes, with bytecode cached in ``cache``.

    An installed package comes with its bytecode; a source checkout run with
    ``PYTHONDONTWRITEBYTECODE`` would compile every module of msgtemplates in every process
    while the references load theirs from ``site-packages``. Here every module, ours and
    theirs, is compiled once into ``cache`` (outside the source tree) and read back after.
    Run each command once untimed first.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def parser(description: str | None, /) -> argparse.ArgumentParser:
    """The command line every suite shares: ``--json OUT`` and ``--quick``.

    ``--json OUT`` also writes the rows as JSON; ``--quick`` runs fewer rounds (and smaller
    batches) for a developer's check.
    """
    made = argparse.ArgumentParser(description=description)
    made.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    made.add_argument("--quick", action="store_true", help="fewer rounds, smaller batches")
    return made


def finish(rows: list[dict[str, t.Any]], json_out: str | None, /, *extra: str) -> int:
    """End a suite's command: print its table (and any extra tables), write JSON if asked.

    :returns: the exit status, 1 when a row misses its target.
    """
    print(table(rows))
    for text in extra:
        print()
        print(text)
    if json_out:
        with open(json_out, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2)
    return 0 if all(item["met"] is not False for item in rows) else 1
