"""The comparison for bench_allocate.py: the same weekly split in numpy floats.

Reads the same plan (PyYAML), splits every node top-down by its weights in
float64, spreads each figure over the 53 ISO weeks of 2026 by quarter
seasonality and working days, and writes JSON like targetsplit's. No
exactness, no rounding units, no controlled rounding: the floor a plain
spreadsheet-style script would reach.

Usage: python benchmarks/numpy_weekly.py PLAN.yaml OUT.json
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

import numpy as np
import yaml


def weekly_shares(quarters: list[float]) -> np.ndarray:
    start = date(2026, 1, 1)
    days = [start + timedelta(days=i) for i in range(365)]
    work = np.array([d.weekday() < 5 for d in days], dtype=float)
    quarter = np.array([(d.month - 1) // 3 for d in days])
    month = np.array([d.month - 1 for d in days])
    week = (
        np.array(
            [
                min(max(d.isocalendar().week, 1), 53)
                if d.isocalendar().year == 2026
                else (1 if d.month == 1 else 53)
                for d in days
            ]
        )
        - 1
    )
    q_work = np.bincount(quarter, weights=work, minlength=4)
    m_work = np.bincount(month, weights=work, minlength=12)
    m_share = np.zeros(12)
    for m in range(12):
        q = m // 3
        m_share[m] = quarters[q] * m_work[m] / q_work[q]
    day_share = np.where(work > 0, m_share[month] / np.maximum(m_work[month], 1), 0.0)
    return np.bincount(week, weights=day_share, minlength=53)


def weight_of(value: object) -> tuple[str, float]:
    text = str(value["weight"] if isinstance(value, dict) else value)
    if text == "rest":
        return "rest", 0.0
    if text.endswith("%"):
        return "percent", float(text[:-1]) / 100
    return "ratio", float(text)


def parse_total(text: str) -> float:
    text = str(text)
    for suffix, scale in (("亿", 1e8), ("万", 1e4)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float(text)


def main() -> None:
    plan = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    metrics = list(plan["metrics"])
    totals = np.array([parse_total(plan["metrics"][m]["total"]) for m in metrics])
    shares = weekly_shares([float(q[:-1]) / 100 for q in plan["seasonality"]["quarters"]])
    labels = [f"2026-W{w:02d}" for w in range(1, 54)]
    nodes = []

    def visit(path: str, name: str, depth: int, figures: np.ndarray, split: dict | None) -> None:
        weeks = np.outer(figures, shares)
        nodes.append(
            {
                "path": path,
                "name": name,
                "depth": depth,
                "targets": dict(zip(metrics, figures.tolist(), strict=True)),
                "periods": {
                    m: dict(zip(labels, weeks[i].tolist(), strict=True))
                    for i, m in enumerate(metrics)
                },
            }
        )
        if not split:
            return
        kinds = [weight_of(v) for v in split.values()]
        claimed = sum(w for k, w in kinds if k == "percent")
        ratio_sum = sum(w for k, w in kinds if k == "ratio")
        for (child, value), (kind, w) in zip(split.items(), kinds, strict=True):
            if kind == "percent":
                share = w
            elif kind == "rest":
                share = 1 - claimed
            else:
                share = (1 - claimed) * w / ratio_sum
            sub = value.get("split") if isinstance(value, dict) else None
            visit(f"{path}/{child}" if path else child, child, depth + 1, figures * share, sub)

    visit("", plan["plan"], 0, totals, plan["split"])
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"plan": plan["plan"], "metrics": metrics, "nodes": nodes}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
