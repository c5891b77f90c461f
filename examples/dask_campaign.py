"""Check a campaign too large for one machine: ``check_batch`` per partition on Dask.

Usage::

    python examples/dask_campaign.py CAMPAIGN.jsonl [--catalog PATH] [--partitions N]
        [--out VERDICTS.jsonl] [--scheduler processes|threads|synchronous]

The verdicts are exactly those of one ``msgtemplates.check_batch`` over the whole file: one
JSON object per non-blank line, ``{"line": ..., "requestId": ..., "problems": [...]}`` sorted
by line, with line numbers of the original file and ``duplicateRequestId`` found across
partitions. The exit status is 0 without errors, 1 with errors, 2 for a usage error.

How it works, stage by stage:

1. Partitions are byte ranges of the file that start and end on line boundaries. The driver
   finds each boundary with one short read (a seek near ``k * size / N``, then the rest of
   that line), so it never reads the campaign itself.
2. One task per partition counts its newlines; a prefix sum of those counts gives the line
   number each partition starts at, so every verdict keeps the line of the original file.
3. One task per partition runs ``check_batch`` over its lines and keeps, for each line with
   a requestId, ``(requestId, line, digest of the canonical JSON body)``. The duplicates that
   ``check_batch`` finds inside a partition are dropped here: only the whole campaign knows
   which line came first.
4. Dask's own shuffle (``Bag.groupby(..., shuffle="tasks")``) brings all lines of one
   requestId together, wherever they are; each group names its earliest line the first and
   gives every later line a ``duplicateRequestId`` problem (a warning for the same body, an
   error for a different one), as ``check_batch`` does within one file.
5. Each partition's verdicts get their repeats back, and are written in line order.

On a real cluster the same graph runs unchanged: replace the local scheduler with
``distributed.Client(...)`` (then ``dask.persist`` keeps stage 3's results on the workers),
put the campaign on storage every worker reads (a shared file system; the byte ranges map to
range reads of an object store), and size partitions at 64-256 MB. The driver holds only the
partition boundaries and one small record per repeated line (never one per line or per
distinct requestId); the shuffle spreads the requestIds over the workers. For output larger
than the driver, write each partition's verdicts from the workers instead (stage 5 already
produces them per partition, in order).

The default scheduler is ``processes``: checking is pure Python, so threads share one core
under the GIL, while processes use every core (the test measures both on 2 cores).
"""

from __future__ import annotations

import argparse
import bisect
import collections.abc as cabc
import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import sys
import threading
import typing as t
from concurrent.futures import ProcessPoolExecutor

import dask.bag
import dask.base
import dask.config
from dask.delayed import delayed as dask_delayed

from msgtemplates import Catalog, CatalogError, Problem, check_batch

#: What one partition sends to the shuffle for each line with a requestId.
IdRecord = tuple[str, int, bytes]
#: One verdict on its way out: line, requestId, problems as dictionaries.
Verdict = tuple[int, "str | None", list[dict[str, str]]]
#: A repeated line: its number, the number of its requestId's first line, same body or not.
Repeat = tuple[int, int, bool]
#: The duplicateRequestId problem for a same (True) or different body, and its line marker.
Wording = dict[bool, tuple[dict[str, str], str]]

# Dask's functions are untyped; these names give them the types this example relies on.
compute: cabc.Callable[..., tuple[t.Any, ...]] = dask.base.compute
persist: cabc.Callable[..., tuple[t.Any, ...]] = dask.base.persist
delayed: cabc.Callable[..., t.Any] = dask_delayed
from_delayed: cabc.Callable[..., t.Any] = dask.bag.from_delayed

_DUPLICATE = "duplicateRequestId"
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20


# --------------------------------------------------------------------------- partitions


def partition_bounds(path: str, partitions: int) -> list[int]:
    """Byte offsets that cut the file into at most ``partitions`` ranges of whole lines.

    The range ``bounds[k]:bounds[k + 1]`` starts at the start of a line and ends just after a
    newline (or at the end of the file); a line longer than a range stays whole in one of them.

    :param path: the campaign file.
    :param partitions: how many ranges to aim for, at least 1.
    :returns: strictly increasing offsets from 0 to the file's size.
    """
    size = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as source:
        for k in range(1, partitions):
            target = size * k // partitions
            if target <= bounds[-1]:
                continue
            # The line that holds byte target - 1 ends the previous range.
            source.seek(target - 1)
            source.readline()
            cut = source.tell()
            if bounds[-1] < cut < size:
                bounds.append(cut)
    bounds.append(size)
    return sorted(set(bounds))


def count_lines(path: str, start: int, end: int) -> int:
    """How many lines the byte range ``start:end`` of whole lines holds."""
    count = 0
    last = b"\n"
    with open(path, "rb") as source:
        source.seek(start)
        left = end - start
        while left > 0:
            data = source.read(min(_CHUNK, left))
            if not data:
                break
            count += data.count(b"\n")
            last = data[-1:]
            left -= len(data)
    # The file's last line may end without a newline.
    return count + (last != b"\n")


def _lines(path: str, start: int, end: int) -> cabc.Iterator[bytes]:
    with open(path, "rb") as source:
        source.seek(start)
        position = start
        while position < end:
            line = source.readline()
            if not line:
                return
            position += len(line)
            yield line


# --------------------------------------------------------------------------- bodies


def _canonical_digest(raw: bytes) -> bytes:
    """The digest of a line's canonical JSON (sorted keys, compact), as DESIGN defines sameness.

    ``check_batch`` gave this line a requestId, so it parsed; should this parse fail anyway,
    the raw bytes stand in, so that only an exact repeat counts as the same body.
    """
    try:
        payload = json.loads(raw)
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("ascii")
    except RecursionError:
        return _in_fresh_thread(raw)
    except ValueError:
        return b"raw:" + hashlib.blake2b(raw, digest_size=16).digest()
    return hashlib.blake2b(canonical, digest_size=16).digest()


def _in_fresh_thread(raw: bytes) -> bytes:
    """The digest computed on a new thread's empty stack: the worker's own depth must not count."""
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: result.append(_canonical_digest(raw)))
    thread.start()
    thread.join()
    return result[0] if result else b"raw:" + hashlib.blake2b(raw, digest_size=16).digest()


# --------------------------------------------------------------------------- tasks


def as_dict(problem: Problem) -> dict[str, str]:
    """A problem as ``{"path", "code", "severity", "message"}``: ``Problem.as_dict()``."""
    method = getattr(problem, "as_dict", None)
    if method is not None:
        return t.cast("dict[str, str]", method())
    return {
        "path": problem.path,
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message,
    }


def check_partition(
    path: str, start: int, end: int, first_line: int, catalog_path: str | None
) -> tuple[list[Verdict], list[IdRecord]]:
    """Check one partition: its verdicts without repeats, and the requestIds of its lines.

    :param first_line: the number, in the whole file, of the partition's first line.
    :returns: ``(verdicts, requestId records)``, both in line order.
    """
    catalog = None if catalog_path is None else Catalog.load(catalog_path)
    lines = list(_lines(path, start, end))
    # A partition after the first starts with a blank line: check_batch skips a UTF-8 byte order
    # mark only on line 1, which only the file's own first line may have.
    shift = first_line - 1 if start == 0 else first_line - 2
    fed = lines if start == 0 else [b"\n", *lines]
    verdicts: list[Verdict] = []
    ids: list[IdRecord] = []
    for verdict in check_batch(fed, catalog=catalog):
        line = verdict.line + shift
        problems = [as_dict(p) for p in verdict.problems if p.code != _DUPLICATE]
        verdicts.append((line, verdict.request_id, problems))
        if verdict.request_id is not None:
            raw = fed[verdict.line - 1]
            if line == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            ids.append((verdict.request_id, line, _canonical_digest(raw)))
    return verdicts, ids


def judge(group: tuple[str, list[IdRecord]]) -> list[Repeat]:
    """The repeats among all the lines of one requestId: every line after its first."""
    _, records = group
    records = sorted(records, key=lambda record: record[1])
    _, first, body = records[0]
    return [(line, first, digest == body) for _, line, digest in records[1:]]


def _verdicts_of(checked: tuple[list[Verdict], list[IdRecord]]) -> list[Verdict]:
    return checked[0]


def _ids_of(checked: tuple[list[Verdict], list[IdRecord]]) -> list[IdRecord]:
    return checked[1]


def with_repeats(
    verdicts: list[Verdict], repeats: list[Repeat], wording: Wording
) -> tuple[str, bool]:
    """One partition's verdicts as JSON Lines, each repeated line with its problem added last.

    :returns: the text, and whether any problem is an error.
    """
    found = {line: (first, same) for line, first, same in repeats}
    out = []
    errors = False
    for line, request_id, problems in verdicts:
        if line in found:
            first, same = found[line]
            template, marker = wording[same]
            repeat = dict(template, message=template["message"].replace(marker, str(first)))
            problems = [*problems, repeat]
        errors = errors or any(problem["severity"] == "error" for problem in problems)
        record = {"line": line, "requestId": request_id, "problems": problems}
        out.append(json.dumps(record) + "\n")
    return "".join(out), errors


# --------------------------------------------------------------------------- wording


def repeat_wording() -> Wording:
    """The library's own ``duplicateRequestId`` problem, with a marker where the line goes.

    The wording has one home, msgtemplates; this asks ``check_batch`` for it on two tiny
    batches whose first line differs (1, then 2) and keeps what stays the same.

    :returns: for same body (``True``) and different body (``False``): the problem as a
        dictionary, and the marker its message holds in place of the first line's number.
    :raises RuntimeError: the wording does not name the first line once, as a number.
    """
    wording = {}
    for same in (True, False):
        repeat = '{"requestId": "r"}' if same else '{"requestId": "r", "x": 1}'
        messages = []
        for blank in (0, 1, 11):
            lines = [*[""] * blank, '{"requestId": "r"}', repeat]
            verdict = list(check_batch(lines))[-1]
            messages += [p for p in verdict.problems if p.code == _DUPLICATE]
        one, two, twelve = (p.message for p in messages)
        prefix = one[: _common(one, two)]
        suffix = one[len(one) - _common(one[::-1], two[::-1]) :]
        marker = "\x00line\x00"
        template = prefix + marker + suffix
        if template.replace(marker, "12") != twelve or template.replace(marker, "1") != one:
            raise RuntimeError("the duplicateRequestId wording does not name the first line once")
        wording[same] = ({**as_dict(messages[0]), "message": template}, marker)
    return wording


def _common(one: str, two: str) -> int:
    """How many leading characters ``one`` and ``two`` share."""
    return next(
        (at for at, (a, b) in enumerate(zip(one, two, strict=False)) if a != b),
        min(len(one), len(two)),
    )


# --------------------------------------------------------------------------- driver


def check_campaign(
    path: str,
    /,
    *,
    catalog_path: str | None = None,
    partitions: int | None = None,
    scheduler: str = "processes",
) -> cabc.Iterator[tuple[str, bool]]:
    """The verdicts of a campaign as JSON Lines, one string per partition, in line order.

    :param path: the JSON Lines campaign.
    :param catalog_path: also check each request against this catalog.
    :param partitions: how many partitions (default: one per 32 MB, at least one per CPU).
    :param scheduler: a Dask local scheduler name.
    :returns: the JSON Lines text of each partition, in order, and whether it holds errors.
    """
    size = os.path.getsize(path)
    if partitions is None:
        partitions = max(os.cpu_count() or 1, -(-size // (32 << 20)))
    bounds = partition_bounds(path, partitions)
    ranges = list(itertools.pairwise(bounds))
    with contextlib.ExitStack() as stack:
        options: dict[str, object] = {"scheduler": scheduler}
        if scheduler == "processes":
            # One pool for every stage: Dask would start (spawn) a new one for each compute.
            context = multiprocessing.get_context("spawn")
            options["pool"] = stack.enter_context(ProcessPoolExecutor(mp_context=context))
        stack.enter_context(dask.config.set(options))
        counts = compute(*[delayed(count_lines)(path, a, b) for a, b in ranges])
        firsts = list(itertools.accumulate(counts, initial=1))[:-1]
        checked = [
            delayed(check_partition)(path, a, b, first, catalog_path)
            for (a, b), first in zip(ranges, firsts, strict=True)
        ]
        checked = list(persist(*checked))
        ids = from_delayed([delayed(_ids_of)(part) for part in checked])
        repeats = ids.groupby(lambda record: record[0], shuffle="tasks").map(judge).flatten()
        # A repeat goes back to the partition that holds its line.
        by_partition: list[list[Repeat]] = [[] for _ in ranges]
        for repeat in repeats.compute():
            by_partition[bisect.bisect_right(firsts, repeat[0]) - 1].append(repeat)
        wording = repeat_wording()
        window = max(2, os.cpu_count() or 1)
        for at in range(0, len(checked), window):
            texts = compute(
                *[
                    delayed(with_repeats)(delayed(_verdicts_of)(part), by_partition[k], wording)
                    for k, part in enumerate(checked[at : at + window], at)
                ]
            )
            yield from texts


def main(argv: cabc.Sequence[str] | None = None) -> int:
    """Check a campaign on Dask and write its verdicts; see the module's docstring.

    :returns: 0 without errors, 1 with errors, 2 for a usage error.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("campaign", metavar="CAMPAIGN.jsonl")
    parser.add_argument("--catalog", metavar="PATH", help="also check against this catalog")
    parser.add_argument("--partitions", type=int, metavar="N", help="how many partitions")
    parser.add_argument("--out", metavar="VERDICTS.jsonl", help="where to write (default stdout)")
    parser.add_argument(
        "--scheduler", choices=("processes", "threads", "synchronous"), default="processes"
    )
    args = parser.parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if not os.path.isfile(args.campaign):
        parser.error(f"{args.campaign}: not a readable file")
    if args.catalog is not None:
        try:
            Catalog.load(args.catalog)
        except CatalogError as error:
            parser.error(f"cannot load the catalog: {error}")
    errors = False
    out = sys.stdout if args.out is None else open(args.out, "w", encoding="ascii")  # noqa: SIM115
    try:
        for text, has_errors in check_campaign(
            args.campaign,
            catalog_path=args.catalog,
            partitions=args.partitions,
            scheduler=args.scheduler,
        ):
            errors = errors or has_errors
            out.write(text)
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
