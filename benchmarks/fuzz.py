"""`make fuzz`: mutated records, grids and scenarios through the real loaders, then
the SIGKILL loop at full size.

Each case takes a real file (a shipped grid or scenario, a record written by
sdm-tui, the record fixtures in tests/data), applies one to three mutations (byte
flips, truncation, deep nesting, huge integers, type swaps, odd Unicode, lines
dropped, duplicated or swapped, a digit changed) and loads it with
`record.load` / `grid.load_grid` / `scenario.load_scenario`. It counts:

- uncaught: any exception other than the loader's own problem type (FileProblems);
- hangs: a load that took over 5 s (SIGALRM stops it);
- changed records accepted: a mutated record that still loads as a different
  session than the original (its integrity hash must have caught it);
- raw control: a problem line holding a raw control, bidi or zero-width character;
- the most problem lines for one file (at most 100, then "... and N more").

    python -m benchmarks.fuzz [CASES] [KILLS]      (default 10000 and 1000)

Figures are printed and written to benchmarks/results-fuzz.json (not committed).
"""

from __future__ import annotations

import json
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sdm_tui.core import record
from sdm_tui.core.catalog import load_catalog, shipped_grids_dir
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.scenario import load_scenario, scenario_paths
from sdm_tui.core.session import Session, grid_ref
from sdm_tui.core.tomlfile import FileProblems

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-fuzz.json"
HANG_SECONDS = 5
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c]")
ODD = [
    "\x1b[2J",
    "\x07",
    "\x00",
    "\u202e",
    "\u200b",
    "\u2066",
    "\ufeff",
    "\u2028",
    "e\u0301" * 50,
    "\U0001f600",
    "\r",
    "\\",
    '"',
    "'''",
    '"""',
]
SWAPS = [
    "07:32:00",
    "1979-05-27T07:32:00",
    "1979-05-27",
    "[]",
    "{}",
    "true",
    "-0",
    "inf",
    "nan",
    '""',
    "9" * 4301,
    "1" * 30,
    "[[1, 2], [3]]",
    "{ a = { b = 1 } }",
    "1e400",
]
_VALUE = re.compile(r"(?m)^(\s*[A-Za-z0-9_\"'.-]+\s*=\s*)(.+)$")


# Mutations ------------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((50, 300, 999, 1000, 5000))
    kind = rng.random()
    if kind < 0.4:
        value = "[" * depth + "]" * depth
    elif kind < 0.8:
        value = "{ a = " * depth + "1" + " }" * depth
    else:
        value = "[" * depth  # never closed
    return _insert_line(data, rng, f"deep_{rng.randrange(100)} = {value}")


def huge_int(data: bytes, rng: random.Random) -> bytes:
    digits = rng.choice((19, 20, 4300, 4301, 10000))
    return _swap_value(data, rng, str(rng.randint(1, 9)) + "0" * (digits - 1))


def type_swap(data: bytes, rng: random.Random) -> bytes:
    return _swap_value(data, rng, rng.choice(SWAPS))


def odd_unicode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    at = rng.randrange(len(text) + 1)
    return (text[:at] + rng.choice(ODD) + text[at:]).encode("utf-8", "surrogatepass")


def bad_utf8(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80")) + data[at:]


def lines(data: bytes, rng: random.Random) -> bytes:
    rows = data.split(b"\n")
    if len(rows) < 2:
        return data
    i, j = rng.randrange(len(rows)), rng.randrange(len(rows))
    choice = rng.random()
    if choice < 0.35:
        del rows[i]
    elif choice < 0.7:
        rows.insert(j, rows[i])
    else:
        rows[i], rows[j] = rows[j], rows[i]
    return b"\n".join(rows)


def digit(data: bytes, rng: random.Random) -> bytes:
    spots = [m.start() for m in re.finditer(rb"\d", data)]
    if not spots:
        return data
    at = rng.choice(spots)
    return data[:at] + str(rng.randrange(10)).encode() + data[at + 1 :]


def many_keys(data: bytes, rng: random.Random) -> bytes:
    extra = "".join(f"unknown_{n} = {n}\n" for n in range(rng.choice((150, 2000))))
    return extra.encode() + data


def odd_key(data: bytes, rng: random.Random) -> bytes:
    key = '"' + rng.choice(("\\u001b[31m", "\\u0007", "\\u202e", "\\u200b")) + 'x"'
    return _insert_line(data, rng, f"{key} = 1")


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip_bytes,
    "truncate": truncate,
    "deep": deep_nesting,
    "huge-int": huge_int,
    "type-swap": type_swap,
    "unicode": odd_unicode,
    "utf8": bad_utf8,
    "lines": lines,
    "digit": digit,
    "many-keys": many_keys,
    "odd-key": odd_key,
}


def _insert_line(data: bytes, rng: random.Random, line: str) -> bytes:
    rows = data.split(b"\n")
    rows.insert(rng.randrange(len(rows) + 1), line.encode())
    return b"\n".join(rows)


def _swap_value(data: bytes, rng: random.Random, value: str) -> bytes:
    text = data.decode("utf-8", "replace")
    found = list(_VALUE.finditer(text))
    if not found:
        return _insert_line(data, rng, f"x = {value}")
    match = rng.choice(found)
    return (text[: match.start(2)] + value + text[match.end(2) :]).encode("utf-8")


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    names = rng.sample(sorted(MUTATIONS), k=rng.choice((1, 1, 2, 3)))
    for name in names:
        data = MUTATIONS[name](data, rng)
    return data, names


# Loading -------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # "loaded" | "problems" | "uncaught" | "hang" | "changed" | "raw"
    problem_lines: int = 0
    detail: str = ""


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Hang


def load_one(
    kind: str, path: Path, original: Session | None, grids: dict[str, OptionGrid]
) -> Outcome:
    """Load one file with the real loader; what happened."""
    # SIGALRM stops a hang; only the main thread can take signals.
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_SECONDS)
    started = time.perf_counter()
    try:
        if kind == "record":
            loaded = record.load(path)
            if original is not None and loaded != original:
                return Outcome("changed", 0, "a changed record loaded")
        elif kind == "grid":
            load_grid(path)
        else:
            load_scenario(path, grids)
        return Outcome("loaded")
    except FileProblems as exc:
        shown = [str(problem) for problem in exc.problems]  # each printed on one line
        for line in shown:
            raw = RAW_CONTROL.search(line)
            if raw:
                return Outcome("raw", len(shown), f"{raw.group()!r} in {line[:120]!r}")
        return Outcome("problems", len(shown))
    except _Hang:
        return Outcome("hang", 0, f"over {HANG_SECONDS} s")
    except Exception as exc:
        return Outcome("uncaught", 0, f"{type(exc).__name__}: {str(exc)[:120]}")
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        if time.perf_counter() - started > HANG_SECONDS:
            return Outcome("hang", 0, f"over {HANG_SECONDS} s")  # noqa: B012


@dataclass
class Seed:
    kind: str
    name: str
    data: bytes
    session: Session | None = None


def seeds() -> list[Seed]:
    """The real files mutated: shipped grids and scenarios, test records, and records
    written by sdm-tui from the synthetic generator (clinical-looking and training)."""
    from sdm_tui.core.synth import _Person

    found: list[Seed] = []
    for path in sorted(shipped_grids_dir().glob("*.toml")):
        found.append(Seed("grid", path.name, path.read_bytes()))
    for path in scenario_paths():
        found.append(Seed("scenario", path.name, path.read_bytes()))
    for path in sorted((REPO / "tests" / "data" / "format1").glob("*.toml")):
        found.append(Seed("record", path.name, path.read_bytes(), record.load(path)))
    catalog = load_catalog()
    refs = [grid_ref(catalog.grids[key]) for key in sorted(catalog.grids)]
    for number in range(1, 4):
        for session in _Person(7, number, refs).sessions(2):
            data = record.dumps(session)
            found.append(
                Seed("record", f"{session.record_id}.toml", data, record.loads(data.decode()))
            )
    return found


@dataclass
class FuzzFigures:
    cases: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    uncaught: int = 0
    hangs: int = 0
    changed_records_accepted: int = 0
    raw_control_in_problems: int = 0
    max_problem_lines_per_file: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.uncaught
            or self.hangs
            or self.changed_records_accepted
            or self.raw_control_in_problems
            or self.max_problem_lines_per_file > 101
        )


def fuzz(cases: int, seed: int = 1, progress: Callable[[int], None] | None = None) -> FuzzFigures:
    rng = random.Random(seed)
    grids = load_catalog().grids
    figures = FuzzFigures()
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        base = seeds()
        for n in range(cases):
            chosen = base[n % len(base)] if n < len(base) else rng.choice(base)
            data, names = mutate(chosen.data, rng)
            path = Path(folder) / f"case-{n % 50}.toml"
            path.write_bytes(data)
            outcome = load_one(chosen.kind, path, chosen.session, grids)
            kinds[chosen.kind] += 1
            outcomes[outcome.kind] += 1
            figures.max_problem_lines_per_file = max(
                figures.max_problem_lines_per_file, outcome.problem_lines
            )
            if outcome.kind in ("uncaught", "hang", "changed", "raw"):
                keep = Path(folder).parent / f"sdm-tui-fuzz-{seed}-{n}.toml"
                keep.write_bytes(data)
                figures.examples.append(
                    f"{chosen.kind} {chosen.name} {'+'.join(names)}: {outcome.kind} "
                    f"{outcome.detail} (kept as {keep})"
                )
            if progress is not None and (n + 1) % 1000 == 0:
                progress(n + 1)
    figures.cases = cases
    figures.by_kind = dict(kinds)
    figures.outcomes = dict(outcomes)
    figures.uncaught = outcomes["uncaught"]
    figures.hangs = outcomes["hang"]
    figures.changed_records_accepted = outcomes["changed"]
    figures.raw_control_in_problems = outcomes["raw"]
    return figures


def main(argv: list[str]) -> int:
    cases = int(argv[0]) if argv else 10_000
    kills = int(argv[1]) if len(argv) > 1 else 1000
    started = time.perf_counter()
    figures = fuzz(cases, progress=lambda n: print(f"  {n} files...", file=sys.stderr))
    fuzz_seconds = time.perf_counter() - started
    result: dict[str, object] = {
        "fuzz": {**figures.__dict__, "ok": figures.ok, "seconds": round(fuzz_seconds, 1)}
    }
    print(
        f"fuzz: {figures.cases} files ({figures.by_kind}), {figures.uncaught} uncaught "
        f"exceptions, {figures.hangs} hangs over {HANG_SECONDS} s, "
        f"{figures.changed_records_accepted} changed records accepted, "
        f"{figures.raw_control_in_problems} problem lines with raw control characters, "
        f"at most {figures.max_problem_lines_per_file} problem lines per file "
        f"({fuzz_seconds:.0f} s)"
    )
    for example in figures.examples[:20]:
        print(f"  {example}")
    ok = figures.ok
    if kills and sys.platform != "win32":
        from benchmarks.killloop import kill_loop

        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            killed = kill_loop(Path(folder) / "records", kills)
        seconds = time.perf_counter() - started
        result["kill_loop"] = {**killed.as_dict(), "seconds": round(seconds, 1)}
        print(
            f"kill loop: {killed.kills} SIGKILLs during draft saves and finishing "
            f"({killed.finished} finished between kills); next start: {killed.corrupt} corrupt, "
            f"{killed.lost} lost, {killed.finished_offered} finished records offered as drafts, "
            f"{killed.temps_left} temp files left (it removed {killed.temps_removed} temp "
            f"files, retired {killed.drafts_retired} finished drafts, wrote "
            f"{killed.summaries_written} missing summaries) ({seconds:.0f} s)"
        )
        ok = ok and killed.ok
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"written to {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
