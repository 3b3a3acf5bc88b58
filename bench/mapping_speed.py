"""Speed of ``derive_mapping`` per case, and a fingerprint of every answer it gives.

``python -m bench.mapping_speed`` times ``derive_mapping`` on each benchmark case in each
evidence mode (CPU time, the best of ``--repeat`` runs) and prints the median milliseconds
per case, apart for the wide cases (:func:`wide_cases`, about 20 columns a side);
``--answers FILE`` writes every case's decisions (destination → source, status, score,
words) as JSON, so that two versions of the matcher can be compared case by case
(``--compare FILE`` prints the cases whose answers differ); ``--profile`` profiles the
wide cases (:func:`wide_cases`) and prints the functions taking most time.
Only answers are compared here, never scored against the labels.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time
from typing import Any

import pandas as pd

from bench.bench_mapping import MODES, schema_of, stats_of
from bench.mapping_cases import Case, build_cases
from bench.mapping_vendors import (
    DOMAINS,
    build_vendor_case,
    build_vendor_cases,
    held_out_domain,
)
from mammoth_pandas.mapping import derive_mapping


def _derive(case: Case, mode: str) -> Any:
    if mode == "rows":
        return derive_mapping(case.source, case.destination)
    if mode == "schema":
        return derive_mapping(schema_of(case.source), schema_of(case.destination))
    return derive_mapping(
        schema_of(case.source),
        schema_of(case.destination),
        source_stats=stats_of(case.source),
        destination_stats=stats_of(case.destination),
    )


def answers_of(mapping: Any) -> list[list[Any]]:
    """Every decision of a mapping: destination id, source id, status, score, words."""
    return [
        [
            row.destination.c_id,
            row.source.c_id if row.source else None,
            row.status,
            round(float(row.confidence), 4),
            row.evidence,
            [[c.c_id, round(float(ev.score), 4)] for c, ev in row.candidates],
        ]
        for row in mapping.rows
    ]


def _key(case: Case, index: int) -> str:
    return f"{index}:{case.table}:{case.level}"


def cases(variants: int) -> list[Case]:
    """The benchmark's cases, as :func:`bench.bench_mapping.run` builds them."""
    return build_cases(variants=variants) + build_vendor_cases(variants=max(1, variants // 5))


def width(case: Case) -> int:
    """Columns per side: the wider of the two."""
    return max(len(case.source.columns), len(case.destination.columns))


def _joined(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    rows = min(len(a), len(b), WIDE_ROWS)
    left = a.iloc[:rows].reset_index(drop=True)
    right = b.iloc[:rows].reset_index(drop=True)
    right.columns = [f"{c}_b" if c in left.columns else c for c in right.columns]
    return pd.concat([left, right], axis=1)


#: Rows per side of the wide cases.
WIDE_ROWS = 100


def wide_cases(count: int = 8) -> list[Case]:
    """Mixed cases of about 20 columns a side: two vendor exports joined side by side.

    Each joins one domain's pair with the next domain's (tuning domains only), rows cut to
    :data:`WIDE_ROWS`; the truth is both pairs' truths.
    """
    domains = [d for d in DOMAINS if not held_out_domain(d.name)]
    out = []
    for k in range(count):
        first, second = domains[k % len(domains)], domains[(k + 1) % len(domains)]
        a = build_vendor_case(first, 0, 1, k)
        b = build_vendor_case(second, 1, 0, k)
        source, destination = _joined(a.source, b.source), _joined(a.destination, b.destination)
        out.append(
            Case(
                case_id=f"wide:{first.name}+{second.name}/{k}",
                table=f"wide:{first.name}+{second.name}",
                level="wide",
                held_out=False,
                source=source,
                destination=destination,
                truth=dict.fromkeys(str(c) for c in destination.columns),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mapping_speed", description=__doc__)
    parser.add_argument("--variants", type=int, default=2)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--answers", help="write every answer to this JSON file")
    parser.add_argument("--compare", help="compare every answer with this JSON file")
    parser.add_argument("--profile", action="store_true", help="profile the wide cases")
    parser.add_argument("--sort", default="cumulative", help="profile order")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case")
    args = parser.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m)
    all_cases = wide_cases() + cases(args.variants)
    for case in all_cases:
        schema_of(case.source), schema_of(case.destination)
        stats_of(case.source), stats_of(case.destination)
    answers: dict[str, Any] = {}
    times: dict[tuple[str, str], list[float]] = {}
    for mode in modes:
        for index, case in enumerate(all_cases):
            best = float("inf")
            for _ in range(max(1, args.repeat)):
                start = time.process_time()
                mapping = _derive(case, mode)
                best = min(best, (time.process_time() - start) * 1000)
            answers[f"{mode}:{_key(case, index)}"] = answers_of(mapping)
            band = "wide" if case.level == "wide" else "benchmark"
            times.setdefault((mode, band), []).append(best)
    for (mode, band), values in sorted(times.items()):
        print(
            f"{mode:7s} {band:10s} cases {len(values):4d}"
            f"  median {statistics.median(values):6.1f} ms"
            f"  max {max(values):6.1f} ms"
        )
    if args.answers:
        with open(args.answers, "w", encoding="utf-8") as handle:
            json.dump(answers, handle, indent=0, sort_keys=True)
    if args.compare:
        with open(args.compare, encoding="utf-8") as handle:
            before = json.load(handle)
        differ = [k for k in sorted(set(before) | set(answers)) if before.get(k) != answers.get(k)]
        print(f"answers compared: {len(answers)} cases, {len(differ)} differ")
        for key in differ[:20]:
            print("  differs:", key)
    if args.profile:
        wide = [c for c in all_cases if c.level == "wide"]
        profiler = cProfile.Profile()
        profiler.enable()
        for mode in modes:
            for case in wide:
                _derive(case, mode)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(45)
        print(f"profile of {len(wide)} cases × {len(modes)} modes")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
