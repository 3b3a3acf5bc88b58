"""Mapping benchmark: accuracy and speed of ``derive_mapping`` against two baselines.

Run alone with ``python -m bench.bench_mapping`` (``--variants N`` for more cases per
table and level); ``python -m bench`` runs it with the other benchmarks. The cases come
from :mod:`bench.mapping_cases`. For each level: precision, recall and F1 of the
destination→source pairs, the share of destination columns with no counterpart that are
correctly left unmatched, and the median milliseconds per pair, for

- ``derive_mapping``: names, types and values, optimal assignment with a threshold;
- ``exact names``: destination and source paired when their normalised names are equal;
- ``fuzzy names``: rapidfuzz similarity of normalised names, optimal assignment, threshold.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from bench.mapping_cases import LEVELS, Case, build_cases, synonym_coverage
from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.normalize import normalize_name

Matcher = Callable[[pd.DataFrame, pd.DataFrame], dict[str, str | None]]

#: Fuzzy baseline: pairs below this rapidfuzz ratio (0..100) are not proposed.
FUZZY_THRESHOLD = 70.0


def match_derive(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    mapping = derive_mapping(source, destination)
    return {row.destination.c_id: row.source.c_id if row.source else None for row in mapping.rows}


def match_exact(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    keys: dict[str, str] = {}
    for column in source.columns:
        keys.setdefault(normalize_name(str(column)), str(column))
    return {str(c): keys.get(normalize_name(str(c))) for c in destination.columns}


def match_fuzzy(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    src = [str(c) for c in source.columns]
    dest = [str(c) for c in destination.columns]
    scores = np.array(
        [[fuzz.ratio(normalize_name(d), normalize_name(s)) for s in src] for d in dest],
        dtype="float64",
    )
    usable = np.where(scores >= FUZZY_THRESHOLD, scores, 0.0)
    rows, cols = linear_sum_assignment(usable, maximize=True)
    out: dict[str, str | None] = dict.fromkeys(dest)
    for r, c in zip(rows, cols, strict=True):
        if usable[r, c] > 0:
            out[dest[r]] = src[c]
    return out


METHODS: dict[str, Matcher] = {
    "derive_mapping": match_derive,
    "exact names": match_exact,
    "fuzzy names + assignment": match_fuzzy,
}


@dataclass
class Tally:
    predicted: int = 0
    correct: int = 0
    expected: int = 0
    absent: int = 0
    absent_left: int = 0
    pairs: int = 0

    def add(self, truth: dict[str, str | None], found: dict[str, str | None]) -> None:
        self.pairs += 1
        for dest, right in truth.items():
            got = found.get(dest)
            if got is not None:
                self.predicted += 1
                self.correct += int(got == right)
            if right is not None:
                self.expected += 1
            else:
                self.absent += 1
                self.absent_left += int(got is None)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def left_unmatched(self) -> float:
        return self.absent_left / self.absent if self.absent else 1.0


def evaluate(cases: list[Case], methods: dict[str, Matcher] | None = None) -> pd.DataFrame:
    """One row per (split, level, method): precision, recall, F1, left unmatched, ms per pair."""
    methods = methods or METHODS
    tallies: dict[tuple[str, str, str], Tally] = {}
    timings: dict[tuple[str, str, str], list[float]] = {}
    for case in cases:
        for name, matcher in methods.items():
            start = time.perf_counter()
            found = matcher(case.source, case.destination)
            elapsed = (time.perf_counter() - start) * 1000
            groups = [("all", case.level), ("all", "overall")]
            groups.append(("held-out" if case.held_out else "development", "overall"))
            for split, level in groups:
                key = (split, level, name)
                tallies.setdefault(key, Tally()).add(case.truth, found)
                timings.setdefault(key, []).append(elapsed)
    records = []
    for (split, level, name), tally in tallies.items():
        records.append(
            {
                "split": split,
                "level": level,
                "method": name,
                "pairs": tally.pairs,
                "precision": tally.precision,
                "recall": tally.recall,
                "F1": tally.f1,
                "left unmatched": tally.left_unmatched,
                "ms per pair": statistics.median(timings[(split, level, name)]),
            }
        )
    frame = pd.DataFrame.from_records(records)
    level_order = {name: i for i, name in enumerate([*LEVELS, "overall"])}
    split_order = {"all": 0, "development": 1, "held-out": 2}
    method_order = {name: i for i, name in enumerate(methods)}
    frame = frame.sort_values(
        by=["split", "level", "method"],
        key=lambda s: s.map({**level_order, **split_order, **method_order}),
    )
    return frame.reset_index(drop=True)


def _markdown(frame: pd.DataFrame) -> str:
    lines = [
        "| split | level | method | pairs | precision | recall | F1 "
        "| no-counterpart left unmatched | ms per pair (median) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in frame.to_dict("records"):
        lines.append(
            f"| {row['split']} | {row['level']} | {row['method']} | {row['pairs']} | "
            f"{row['precision']:.3f} | {row['recall']:.3f} | {row['F1']:.3f} | "
            f"{row['left unmatched']:.3f} | {row['ms per pair']:.1f} |"
        )
    return "\n".join(lines)


def run(variants: int = 5) -> str:
    """The benchmark as markdown: the table, then how the cases were built."""
    cases = build_cases(variants=variants)
    frame = evaluate(cases)
    covered, swaps = synonym_coverage(cases)
    tables = sorted({c.table for c in cases})
    held = sorted({c.table for c in cases if c.held_out})
    absent = sum(1 for c in cases for v in c.truth.values() if v is None)
    columns = sum(len(c.truth) for c in cases)
    notes = [
        "### Mapping: derive_mapping against name-only baselines",
        "",
        f"{len(cases)} labelled pairs ({variants} per table and level) from {len(tables)} public "
        f"tables bundled in vega_datasets, scikit-learn and statsmodels; {columns} destination "
        f"columns, {absent} of them with no counterpart in the source. Held-out tables (errors "
        f"never examined while tuning): {', '.join(held)}. The matcher's built-in synonym "
        f"table covers {covered} of the {swaps} synonym swaps the generator made.",
        "",
        _markdown(frame),
    ]
    return "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_mapping", description=__doc__)
    parser.add_argument("--variants", type=int, default=5, help="cases per table and level")
    args = parser.parse_args(argv)
    print(run(variants=args.variants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
