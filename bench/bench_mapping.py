"""Mapping benchmark: accuracy and speed of ``derive_mapping`` against two baselines.

Run alone with ``python -m bench.bench_mapping`` (``--variants N`` for more cases per
table and level); ``python -m bench`` runs it with the other benchmarks. The cases come
from :mod:`bench.mapping_cases`. For each level: precision, recall and F1 of the
destination→source pairs, the share of destination columns with no counterpart that are
correctly left unmatched, and the median milliseconds per pair, for

- ``derive_mapping``: names, types and values, optimal assignment with a threshold;
- ``exact names``: destination and source paired when their normalised names are equal;
- ``fuzzy names``: rapidfuzz similarity of normalised names, optimal assignment, threshold;
- Valentine's matchers, when ``MAPPING_VALENTINE_PYTHON`` names an interpreter that has
  Valentine (:mod:`bench.mapping_valentine`; it is not a dependency of the project).
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
from bench.mapping_valentine import PYTHON_VARIABLE, run_valentine
from bench.mapping_vendors import build_vendor_cases
from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.normalize import normalize_name

Matcher = Callable[[pd.DataFrame, pd.DataFrame], dict[str, str | None]]

#: Evidence modes: both sides' rows, names and types only, names and types with statistics.
MODES: tuple[str, ...] = ("rows", "schema", "stats")


def _declared_type(values: pd.Series) -> str:
    """The type a dataset built from these values would declare (text stays text)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "numeric"
    return "text"


#: Schemas and statistics already derived, by frame (``id`` → frame, value): they stand for
#: what the API returns, so :func:`evaluate` derives them before the clock starts.
_DERIVED: dict[tuple[str, int], tuple[pd.DataFrame, list]] = {}


def _derived(kind: str, frame: pd.DataFrame, make: Callable[[pd.DataFrame], list]) -> list:
    key = (kind, id(frame))
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not frame:
        hit = _DERIVED[key] = (frame, make(frame))
    return hit[1]


def schema_of(frame: pd.DataFrame) -> list[dict[str, str]]:
    """A frame's schema as a dataset would declare it (ids are the names)."""
    return _derived("schema", frame, _schema_of)


def stats_of(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A frame's column statistics in the API's column-stats shape."""
    return _derived("stats", frame, _stats_of)


def _schema_of(frame: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {"c_id": str(c), "c_name": str(c), "c_type": _declared_type(frame[c])}
        for c in frame.columns
    ]


def _stats_of(frame: pd.DataFrame) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for c in frame.columns:
        values = frame[c]
        text = values.astype("string").str.strip()
        blank = int((values.isna() | (text == "")).sum())
        out.append(
            {
                "name": str(c),
                "type": _declared_type(values).upper(),
                "blank_count": blank,
                "blank_pct": 100.0 * blank / len(values) if len(values) else 0.0,
                "distinct": int(text[text.notna() & (text != "")].nunique()),
                "rows": len(values),
            }
        )
    return out


def _pairs_of(mapping: object) -> dict[str, str | None]:
    return {
        row.destination.c_id: row.source.c_id if row.source else None
        for row in mapping.rows  # type: ignore[attr-defined]
    }


#: Fuzzy baseline: pairs below this rapidfuzz ratio (0..100) are not proposed.
FUZZY_THRESHOLD = 70.0


def match_derive(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    """derive_mapping with both sides' rows (suggestions count as answers)."""
    return _pairs_of(derive_mapping(source, destination))


def match_derive_schema(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    """derive_mapping on names and declared types only."""
    return _pairs_of(derive_mapping(schema_of(source), schema_of(destination)))


def match_derive_stats(source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
    """derive_mapping on names, declared types and column statistics."""
    return _pairs_of(
        derive_mapping(
            schema_of(source),
            schema_of(destination),
            source_stats=stats_of(source),
            destination_stats=stats_of(destination),
        )
    )


class Precomputed:
    """Answers computed elsewhere (another interpreter), looked up by the case's frames.

    ``last_ms`` is the CPU time the last answer took where it was computed: the benchmark
    reports it instead of the lookup's.
    """

    def __init__(self) -> None:
        self.answers: dict[tuple[int, int], tuple[dict[str, str | None], float]] = {}
        self.last_ms: float | None = None

    def add(self, case: Case, found: dict[str, str | None], ms: float) -> None:
        """Keep one case's answer and its time."""
        self.answers[(id(case.source), id(case.destination))] = (found, ms)

    def __call__(self, source: pd.DataFrame, destination: pd.DataFrame) -> dict[str, str | None]:
        """The answer kept for these frames."""
        found, self.last_ms = self.answers[(id(source), id(destination))]
        return found


#: Valentine's matchers by the evidence they use: names (and types) only, or values too.
VALENTINE_SCHEMA = ("Valentine COMA (schema)", "Valentine Cupid", "Valentine similarity flooding")
VALENTINE_ROWS = (
    "Valentine COMA (instances)",
    "Valentine distribution-based",
    "Valentine Jaccard (instances)",
)


def _valentine_answers(
    cases: list[Case],
) -> tuple[dict[str, dict[int, tuple[dict[str, str | None], float]]], dict[str, str]]:
    """Valentine's answers by matcher and case index, run part by part; a matcher that fails
    on a part is run again table by table there, so that one table it cannot read costs it
    that table only. Its answer on such a table leaves every column empty (time 0)."""
    answers: dict[str, dict[int, tuple[dict[str, str | None], float]]] = {}
    failed: dict[str, str] = {}
    failed_tables: dict[str, list[str]] = {}
    by_split: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        by_split.setdefault(case.split, []).append(i)

    def run(indices: list[int], labels: list[str] | None) -> dict[str, str]:
        pairs, ms, why = run_valentine(
            [(cases[i].source, cases[i].destination) for i in indices], matchers=labels
        )
        for label, found in pairs.items():
            for i, answer, elapsed in zip(indices, found, ms[label], strict=True):
                answers.setdefault(label, {})[i] = (answer, elapsed)
        return why

    for indices in by_split.values():
        why = run(indices, None)
        if not why or set(why) == {"Valentine"}:
            failed.update(why)
            continue
        labels = [label for label in why if not why[label].startswith("LookupError")]
        failed.update({label: why[label] for label in why if label not in labels})
        by_table: dict[str, list[int]] = {}
        for i in indices:
            by_table.setdefault(cases[i].table, []).append(i)
        for table, rows in by_table.items():
            again = run(rows, labels) if labels else {}
            for label in labels:
                if label in again:
                    tables = failed_tables.setdefault(label, [])
                    tables.append(table)
                    failed[label] = (
                        f"{again[label]} on {', '.join(tables)}, whose columns it left empty"
                    )
                    for i in rows:
                        empty = dict.fromkeys(cases[i].truth)
                        answers.setdefault(label, {})[i] = (empty, 0.0)
    for label in list(failed):
        if label in answers and len(answers[label]) < len(cases):
            del answers[label]  # not run on every part: left out
        elif label in answers and not failed[label].endswith("left empty"):
            del failed[label]
    return answers, failed


def valentine_methods(cases: list[Case]) -> tuple[dict[str, dict[str, Matcher]], dict[str, str]]:
    """Valentine's matchers as methods by mode, run once on every case in their own
    interpreter (:mod:`bench.mapping_valentine`); and why those that did not run (or not on
    every table) did not."""
    answers, failed = _valentine_answers(cases)
    by_mode: dict[str, dict[str, Matcher]] = {mode: {} for mode in MODES}
    for label, found in answers.items():
        if len(found) < len(cases):
            continue
        matcher = Precomputed()
        for i, case in enumerate(cases):
            matcher.add(case, *found[i])
        modes = ("rows",) if label in VALENTINE_ROWS else MODES
        for mode in modes:
            by_mode[mode][label] = matcher
    return by_mode, failed


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


#: mode → method → matcher. Name-only baselines run in every mode.
METHODS_BY_MODE: dict[str, dict[str, Matcher]] = {
    "rows": {"derive_mapping": match_derive},
    "schema": {"derive_mapping": match_derive_schema},
    "stats": {"derive_mapping": match_derive_stats},
}
for _mode in MODES:
    METHODS_BY_MODE[_mode]["exact names"] = match_exact
    METHODS_BY_MODE[_mode]["fuzzy names + assignment"] = match_fuzzy
METHODS: dict[str, Matcher] = METHODS_BY_MODE["rows"]


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
    """One row per (split, level, method): precision, recall, F1, left unmatched, ms per case.

    Splits: ``all``, ``tuning`` and the three held-out sets; levels: each case's level, and
    ``overall`` over the perturbed-table levels (vendor pairs are their own level).
    """
    methods = methods or METHODS
    tallies: dict[tuple[str, str, str], Tally] = {}
    timings: dict[tuple[str, str, str], list[float]] = {}
    cpu: dict[tuple[str, str, str], list[float]] = {}
    for case in cases:
        # What the API would return (schemas, statistics) is not part of the matcher's time.
        for frame in (case.source, case.destination):
            schema_of(frame)
            stats_of(frame)
        for name, matcher in methods.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            found = matcher(case.source, case.destination)
            elapsed = (time.perf_counter() - start) * 1000
            elapsed_cpu = (time.process_time() - start_cpu) * 1000
            elsewhere = getattr(matcher, "last_ms", None)
            if elsewhere is not None:  # computed in another interpreter: its CPU time
                elapsed = elapsed_cpu = elsewhere
            split = case.split
            groups = [("all", case.level), (split, case.level)]
            if case.level in LEVELS:
                groups += [("all", "overall"), (split, "overall")]
            for group_split, level in groups:
                key = (group_split, level, name)
                tallies.setdefault(key, Tally()).add(case.truth, found)
                timings.setdefault(key, []).append(elapsed)
                cpu.setdefault(key, []).append(elapsed_cpu)
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
                "cpu ms per pair": statistics.median(cpu[(split, level, name)]),
            }
        )
    frame = pd.DataFrame.from_records(records)
    level_order = {name: i for i, name in enumerate([*LEVELS, "overall", "vendor"])}
    split_order = {
        "all": 0,
        "tuning": 1,
        "held-out": 2,
        "fresh held-out": 3,
        "new draws held-out": 4,
        "blind draws held-out": 5,
        "sealed draws held-out": 6,
        "unseen tables held-out": 7,
        "final held-out": 8,
        "ninth held-out": 9,
    }
    method_order = {name: i for i, name in enumerate(methods)}
    frame = frame.sort_values(
        by=["split", "level", "method"],
        key=lambda s: s.map({**level_order, **split_order, **method_order}),
    )
    return frame.reset_index(drop=True)


def evaluate_modes(
    cases: list[Case],
    modes: tuple[str, ...] = MODES,
    extra: dict[str, dict[str, Matcher]] | None = None,
) -> pd.DataFrame:
    """:func:`evaluate` in each evidence mode, with a ``mode`` column first.

    ``extra`` adds methods by mode (Valentine's, see :func:`valentine_methods`).
    """
    frames = []
    for mode in modes:
        frame = evaluate(cases, {**METHODS_BY_MODE[mode], **(extra or {}).get(mode, {})})
        frame.insert(0, "mode", mode)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _markdown(frame: pd.DataFrame) -> str:
    mode = "mode" in frame.columns
    lines = [
        ("| mode " if mode else "") + "| split | level | method | pairs | precision | recall | F1 "
        "| no-counterpart left unmatched | ms per pair (median) | CPU ms per pair (median) |",
        ("|---" if mode else "") + "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in frame.to_dict("records"):
        lines.append(
            (f"| {row['mode']} " if mode else "")
            + f"| {row['split']} | {row['level']} | {row['method']} | {row['pairs']} | "
            f"{row['precision']:.3f} | {row['recall']:.3f} | {row['F1']:.3f} | "
            f"{row['left unmatched']:.3f} | {row['ms per pair']:.1f} | "
            f"{row['cpu ms per pair']:.1f} |"
        )
    return "\n".join(lines)


def _parts_note(
    held: list[str],
    fresh: list[str],
    drawn: list[str],
    blind: list[str] | None = None,
    sealed: list[str] | None = None,
    unseen: list[str] | None = None,
    final: list[str] | None = None,
    ninth: list[str] | None = None,
) -> str:
    """The held-out parts in this run, each with how blind it still is (empty ones left out)."""
    parts = [
        ("Held out (tables chosen before tuning, scores read between rounds of it)", held),
        ("second held-out set (added after the first reading, read since)", fresh),
        (
            "third held-out set, new draws with other seeds (declared once the first two had "
            "been read during tuning, never run while tuning)",
            drawn,
        ),
        (
            "fourth held-out set, further draws with other seeds (declared before any tuning "
            "once the third had been run, run once on the final matcher)",
            blind or [],
        ),
        (
            "fifth held-out set, sealed draws with other seeds (declared before any tuning "
            "once all four had been read, run once on the final matcher)",
            sealed or [],
        ),
        (
            "sixth held-out set, unseen tables no other part uses (chosen by a fixed rule on "
            "names and column counts, declared before any tuning once all five had been read, "
            "run once on the final matcher)",
            unseen or [],
        ),
        (
            "eighth part, final held-out: the remaining bundled tables by the same rule and new "
            "draws of the unseen tables (declared before any tuning once the sixth had been "
            "read, run once on the final matcher)",
            final or [],
        ),
        (
            "ninth part, ninth held-out: tables bundled in plotly and palmerpenguins by a fixed "
            "rule on names, column and row counts (declared before any tuning once the eighth "
            "had been read, run once on the final matcher)",
            ninth or [],
        ),
    ]
    said = [f"{label}: {', '.join(names)}" for label, names in parts if names]
    return "; ".join(said) + ". " if said else ""


def run(
    variants: int = 5, part: str = "all", modes: tuple[str, ...] = MODES, valentine: bool = True
) -> str:
    """The benchmark as markdown: how the cases were built, then one table.

    ``part`` is ``tuning`` (what to run while tuning), ``held-out``, ``fresh held-out``,
    ``new draws held-out``, ``blind draws held-out``, ``sealed draws held-out``,
    ``unseen tables held-out``, ``final held-out``, ``ninth held-out`` or ``all`` (the sealed
    draws, the unseen tables, the final and the ninth parts are only built when asked for, by
    name or with ``all``). With
    ``valentine`` and ``MAPPING_VALENTINE_PYTHON`` naming an interpreter that has
    Valentine, its matchers run on the same cases (:mod:`bench.mapping_valentine`).
    """
    sealed_too = part in ("all", "sealed draws held-out")
    unseen_too = part in ("all", "unseen tables held-out")
    final_too = part in ("all", "final held-out")
    ninth_too = part in ("all", "ninth held-out")
    cases = build_cases(
        variants=variants,
        new_draws=True,
        blind_draws=True,
        sealed_draws=sealed_too,
        unseen_tables=unseen_too,
        final=final_too,
        ninth=ninth_too,
    )
    cases += build_vendor_cases(
        variants=max(1, variants // 5), new_draws=True, blind_draws=True, sealed_draws=sealed_too
    )
    if part != "all":
        cases = [c for c in cases if c.split == part]
    extra, failed = valentine_methods(cases) if valentine else ({}, {})
    frame = evaluate_modes(cases, modes, extra)
    if part == "all":
        frame = frame[frame["split"] != "all"]
    covered, swaps = synonym_coverage(cases)
    tables = sorted({c.table for c in cases if c.level in LEVELS})
    held = sorted({c.table for c in cases if c.split == "held-out"})
    fresh = sorted({c.table for c in cases if c.fresh})
    drawn = sorted({c.table for c in cases if c.new_draw})
    blind = sorted({c.table for c in cases if c.blind_draw})
    sealed = sorted({c.table for c in cases if c.sealed_draw})
    unseen = sorted({c.table for c in cases if c.unseen_table})
    final = sorted({c.table for c in cases if c.final})
    ninth = sorted({c.table for c in cases if c.ninth})
    absent = sum(1 for c in cases for v in c.truth.values() if v is None)
    columns = sum(len(c.truth) for c in cases)
    vendor = [c for c in cases if c.level == "vendor"]
    packages = (
        "vega_datasets, scikit-learn, statsmodels, plotly and palmerpenguins"
        if ninth
        else "vega_datasets, scikit-learn and statsmodels"
    )
    notes = [
        "### Mapping: derive_mapping against baselines",
        "",
        f"{len(cases)} labelled pairs: {len(cases) - len(vendor)} from {len(tables)} public "
        f"tables bundled in {packages} ({variants} per table "
        f"and level, as many again as new draws of the held-out tables, again as further "
        f"draws{', and again as sealed draws' if sealed else ''}), {len(vendor)} vendor-export "
        f"pairs; {columns} destination columns, "
        f"{absent} of them with no counterpart in the source. "
        + _parts_note(held, fresh, drawn, blind, sealed, unseen, final, ninth)
        + f"The matcher's built-in synonym table covers {covered} of the {swaps} synonym "
        f"swaps the table generator made.",
        "",
        *(
            f"Not run on every table: {label} ({why})."
            if why.endswith("left empty")
            else f"Not run: {label} ({why})."
            for label, why in failed.items()
        ),
        *([""] if failed else []),
        _markdown(frame),
    ]
    return "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_mapping", description=__doc__)
    parser.add_argument("--variants", type=int, default=5, help="cases per table and level")
    parser.add_argument(
        "--part",
        choices=(
            "tuning",
            "held-out",
            "fresh held-out",
            "new draws held-out",
            "blind draws held-out",
            "sealed draws held-out",
            "unseen tables held-out",
            "final held-out",
            "ninth held-out",
            "all",
        ),
        default="all",
        help="which cases",
    )
    parser.add_argument("--modes", default=",".join(MODES), help="rows,schema,stats")
    parser.add_argument(
        "--no-valentine", action="store_true", help=f"skip Valentine even with {PYTHON_VARIABLE}"
    )
    args = parser.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m)
    print(run(variants=args.variants, part=args.part, modes=modes, valentine=not args.no_valentine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
