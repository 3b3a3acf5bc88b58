"""Valentine's matchers as baselines for the mapping benchmark, run in their own interpreter.

Valentine is not a dependency of the project: it runs in an interpreter of its own, named by
``MAPPING_VALENTINE_PYTHON`` (a virtual environment with ``pip install valentine``). This
file is both sides of that: :func:`run_valentine` (in the benchmark's interpreter) writes the
cases to a file, runs this file as a script with that interpreter, and reads back each
matcher's one-to-one pairs and CPU milliseconds per case; run as a script, this file needs
only pandas and Valentine.

Each matcher's ranked pairs are forced one-to-one (``one_to_one_hungarian()``: the
assignment with the highest total similarity), and pairs scoring below :data:`THRESHOLD` are
not proposed (similarity flooding's all are: see :data:`THRESHOLDS`). Matchers that
fail to run (COMA with instances and Cupid fetch NLTK corpora at run time, which cannot be
downloaded here) are reported with the reason, and left out.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

#: Valentine's one-to-one pairs below this similarity are not proposed.
THRESHOLD = 0.3
#: Similarity flooding's scores are shares of a fixpoint spread over every pair, smaller the
#: wider the tables: its one-to-one pairs are all proposed.
THRESHOLDS: dict[str, float] = {"SimilarityFlooding": 0.0}

#: Matcher label → (Valentine class, keyword arguments), in the order they are reported.
MATCHERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Valentine COMA (schema)": ("Coma", {"use_instances": False}),
    "Valentine COMA (instances)": ("Coma", {"use_instances": True}),
    "Valentine Cupid": ("Cupid", {}),
    "Valentine distribution-based": ("DistributionBased", {}),
    "Valentine Jaccard (instances)": ("JaccardDistanceMatcher", {}),
    "Valentine similarity flooding": ("SimilarityFlooding", {}),
}

#: The environment variable naming the interpreter that has Valentine.
PYTHON_VARIABLE = "MAPPING_VALENTINE_PYTHON"


def _frame_json(frame: Any) -> str:
    return str(frame.to_json(orient="split", date_format="iso", index=False))


def run_valentine(
    cases: list[tuple[Any, Any]],
    matchers: list[str] | None = None,
    python: str | None = None,
    timeout: float = 3000.0,
) -> tuple[dict[str, list[dict[str, str | None]]], dict[str, list[float]], dict[str, str]]:
    """Run Valentine's matchers on ``(source, destination)`` frames in the other interpreter.

    Returns, by matcher label: the pairs per case (destination → source or None), the CPU
    milliseconds per case, and for each matcher that could not run, why. Without an
    interpreter (``python``, else ``MAPPING_VALENTINE_PYTHON``; ``""`` for none), nothing
    runs and that is the one reason given (under the label ``Valentine``).
    """
    labels = matchers or list(MATCHERS)
    if python is None:
        python = os.environ.get(PYTHON_VARIABLE)
    if not python:
        return {}, {}, {"Valentine": f"{PYTHON_VARIABLE} is not set"}
    with tempfile.TemporaryDirectory() as folder:
        given, answer = os.path.join(folder, "cases.json"), os.path.join(folder, "answers.json")
        with open(given, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "matchers": labels,
                    "cases": [[_frame_json(s), _frame_json(d)] for s, d in cases],
                },
                handle,
            )
        done = subprocess.run(
            [python, os.path.abspath(__file__), given, answer],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or not os.path.exists(answer):
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {}, {}, dict.fromkeys(labels, f"the Valentine run failed: {reason}")
        with open(answer, encoding="utf-8") as handle:
            result = json.load(handle)
    return result["pairs"], result["ms"], result["failed"]


def _match(valentine: Any, algorithms: Any, label: str, source: Any, destination: Any) -> Any:
    name, kwargs = MATCHERS[label]
    matcher = getattr(algorithms, name)(**kwargs)
    result = valentine.valentine_match([source, destination], matcher, ["source", "target"])
    out: dict[str, str | None] = dict.fromkeys(str(c) for c in destination.columns)
    ranked = result.one_to_one_hungarian()
    threshold = THRESHOLDS.get(name, THRESHOLD)
    for pair in ranked:
        if ranked[pair] >= threshold and ranked[pair] > 0:
            out[str(pair.target_column)] = str(pair.source_column)
    return out


def _main(given: str, answer: str) -> int:  # pragma: no cover - runs in Valentine's interpreter
    import pandas as pd
    import valentine
    import valentine.algorithms as algorithms

    with open(given, encoding="utf-8") as handle:
        request = json.load(handle)
    frames = [
        [pd.read_json(io.StringIO(s), orient="split"), pd.read_json(io.StringIO(d), orient="split")]
        for s, d in request["cases"]
    ]
    pairs: dict[str, list[Any]] = {}
    ms: dict[str, list[float]] = {}
    failed: dict[str, str] = {}
    for label in request["matchers"]:
        found, times = [], []
        try:
            for source, destination in frames:
                start = time.process_time()
                found.append(_match(valentine, algorithms, label, source, destination))
                times.append((time.process_time() - start) * 1000)
        except Exception as error:  # a matcher that cannot run is reported, not fatal
            failed[label] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            continue
        pairs[label], ms[label] = found, times
    with open(answer, "w", encoding="utf-8") as handle:
        json.dump({"pairs": pairs, "ms": ms, "failed": failed}, handle)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main(sys.argv[1], sys.argv[2]))
