"""Where `targetsplit progress` spends its time, phase by phase, in one process.

Usage: python benchmarks/phases_progress.py PLAN.yaml ACTUALS.csv [WEEK]
(generate both with generate.py and generate_actuals.py)
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    plan_path, actuals_path = sys.argv[1], sys.argv[2]
    week = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    marks = [("start", time.perf_counter())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    from targetsplit.plan.load import load_plan
    from targetsplit.report.jsonout import dumps
    from targetsplit.report.progress import progress_json
    from targetsplit.split.hierarchy import allocate
    from targetsplit.track.actuals import read_actuals
    from targetsplit.track.progress import compute, cutoff, targets_to_date, week_end

    mark("imports")
    plan = load_plan(plan_path).plan
    assert plan.breakdown is not None
    mark("load and check the plan")
    alloc = allocate(plan)
    cut = cutoff(plan.breakdown, week_end(plan.breakdown, week), week)
    mark("allocate")
    to_date = targets_to_date(alloc, cut.day)
    mark("targets to date")
    facts = read_actuals(actuals_path, actuals_path, plan, cut.day)
    mark("read and sum the actuals")
    result = compute(alloc, cut, to_date, facts.direct)
    mark("progress figures")
    dumps(progress_json(result, plan.metrics, None, None))
    mark("JSON")
    for (_, before), (name, at) in zip(marks, marks[1:], strict=False):
        print(f"{name:>26}: {at - before:6.2f} s")
    print(f"{'total':>26}: {marks[-1][1] - marks[0][1]:6.2f} s")


if __name__ == "__main__":
    main()
