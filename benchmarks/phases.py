"""Where the heavy commands spend their time, phase by phase, in one process.

    python benchmarks/phases.py progress PLAN.yaml ACTUALS.csv [--week 32]
    python benchmarks/phases.py allocate PLAN.yaml

(generate the files with generate.py and generate_actuals.py). Each phase
calls what the command calls, in its order, down to writing the JSON file;
`ahead` is what progress does while DuckDB's child sums the actuals besides
the targets to date (the figures' frame, the JSON rows but for the figures
from the actuals). The column `cpu` is this process's CPU time (not the
child's: the one to compare on a busy machine), `gc` the time the cyclic
garbage collector took within the phase. The collector runs as the CLI
runs it (see targetsplit.cli.main); `--gc on` turns it on regardless, to see
what it would cost.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any


class Clock:
    """Phase marks, and the collector's time within each phase."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float, float]] = []
        self.gc_time = 0.0
        self._gc_start = 0.0
        gc.callbacks.append(self._on_gc)
        self.start = time.perf_counter()
        self._last = (self.start, 0.0, time.process_time())

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_time += time.perf_counter() - self._gc_start

    def mark(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        last_now, last_gc, last_cpu = self._last
        self.marks.append((name, now - last_now, cpu - last_cpu, self.gc_time - last_gc))
        self._last = (now, self.gc_time, cpu)

    def report(self) -> None:
        print(f"{'phase':>28} {'wall s':>7} {'cpu s':>6} {'gc s':>6}")
        for name, wall, cpu, in_gc in self.marks:
            print(f"{name:>28} {wall:7.2f} {cpu:6.2f} {in_gc:6.2f}")
        total = time.perf_counter() - self.start
        print(f"{'total':>28} {total:7.2f} {time.process_time():6.2f} {self.gc_time:6.2f}")


def write(shown: Any, out: str) -> None:
    """Write a rendered result to ``out`` as the CLI does with --output."""
    from targetsplit.report.output import emit

    emit(shown if isinstance(shown, str) else shown.pieces, out)


def progress(args: argparse.Namespace, clock: Clock, out: str) -> None:
    from targetsplit.api.common import read_plan
    from targetsplit.api.progress import ProgressResult
    from targetsplit.report.formats import Format
    from targetsplit.report.progress import ahead, render
    from targetsplit.split.hierarchy import allocate
    from targetsplit.track.actuals import read_actuals
    from targetsplit.track.progress import cutoff, frame, settle, targets_to_date, week_end

    clock.mark("imports")
    loaded, _ = read_plan(args.plan)
    plan = loaded.plan
    assert plan.breakdown is not None
    clock.mark("load and check the plan")
    cut = cutoff(plan.breakdown, week_end(plan.breakdown, args.week), args.week)
    alloc = allocate(plan)
    clock.mark("allocate (hierarchy)")
    to_date, _ = targets_to_date(alloc, cut.day)
    clock.mark("targets to date (weekly)")
    ready = frame(alloc, cut, to_date)
    hook = ahead(Format.json, None, False)
    made = None if hook is None else hook(ready, plan.metrics, None)
    clock.mark("ahead: frame, JSON rows")
    facts = read_actuals(args.actuals, args.actuals, plan, cut.day)
    clock.mark("read and sum the actuals")
    result = settle(ready, facts.direct)
    clock.mark("progress figures")
    done = ProgressResult(result, plan.metrics, "", (), (), ahead=made)
    write(render(done, Format.json, None, False), out)
    clock.mark("JSON, made and written")


def allocate(args: argparse.Namespace, clock: Clock, out: str) -> None:
    from targetsplit.api.allocate import AllocateResult
    from targetsplit.api.common import read_plan
    from targetsplit.report.allocation import render
    from targetsplit.report.formats import Format
    from targetsplit.split import hierarchy
    from targetsplit.split.timesplit import split_over_time

    clock.mark("imports")
    loaded, _ = read_plan(args.plan)
    plan = loaded.plan
    clock.mark("load and check the plan")
    alloc = hierarchy.allocate(plan)
    clock.mark("allocate (hierarchy)")
    split = split_over_time(alloc, "week")
    clock.mark("split by week")
    chosen = tuple(range(len(split.slots)))
    result = AllocateResult(alloc, plan.metrics, split, chosen, (), ())
    write(render(result, Format.json, None, None), out)
    clock.mark("JSON, made and written")


COMMANDS: dict[str, Callable[[argparse.Namespace, Clock, str], None]] = {
    "progress": progress,
    "allocate": allocate,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("command", choices=COMMANDS)
    ap.add_argument("plan")
    ap.add_argument("actuals", nargs="?")
    ap.add_argument("--week", type=int, default=32)
    ap.add_argument("--gc", choices=("on", "cli"), default="cli", help="the collector: as the CLI")
    args = ap.parse_args()
    if args.command == "progress" and not args.actuals:
        ap.error("progress needs ACTUALS.csv")
    clock = Clock()
    if args.gc == "cli":
        from importlib import import_module

        policy = getattr(import_module("targetsplit.cli.main"), "collector_off", None)
        if policy is not None:
            policy()
    clock.mark("startup")
    with tempfile.TemporaryDirectory() as tmp:
        COMMANDS[args.command](args, clock, os.path.join(tmp, "out.json"))
    clock.report()


if __name__ == "__main__":
    main()
