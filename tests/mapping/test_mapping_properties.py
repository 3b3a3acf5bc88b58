"""Properties of derive_mapping over generated tables (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mammoth_pandas.mapping import DEFAULT_SUGGEST_MIN, derive_mapping
from mammoth_pandas.mapping.normalize import words

VOCABULARY = [
    "customer name", "email", "city", "signup date", "lifetime value", "order count",
    "unit price", "quantity", "discount", "country", "phone", "status", "region",
    "product code", "shipping cost",
]  # fmt: skip
STYLES = [
    lambda w: "_".join(w),
    lambda w: "_".join(w).upper(),
    lambda w: w[0] + "".join(x.capitalize() for x in w[1:]),
    lambda w: " ".join(x.capitalize() for x in w),
    lambda w: "-".join(w),
]


def _table(names: list[str], seed: int, rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for i, name in enumerate(names):
        kind = i % 3
        if kind == 0:
            data[name] = rng.normal(10 ** (i % 4 + 1), 3 * (i + 1), rows).round(2)
        elif kind == 1:
            data[name] = rng.choice([f"{name[:3]}-{k}" for k in range(8)], rows)
        else:
            data[name] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
                rng.integers(i * 400, i * 400 + 300, rows), unit="D"
            )
    return pd.DataFrame(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8, unique=True),
    seed=st.integers(0, 10_000),
    style=st.integers(0, len(STYLES) - 1),
    order=st.randoms(use_true_random=False),
)
def test_restyled_and_reordered_columns_map_back_exactly(names, seed, style, order):
    destination = _table(names, seed)
    renamed = {n: STYLES[style](list(words(n))) for n in names}
    source = destination.rename(columns=renamed)
    columns = list(source.columns)
    order.shuffle(columns)
    mapping = derive_mapping(source[columns], destination)
    found = {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}
    assert found == renamed
    assert mapping.unused_source == []


@settings(max_examples=25, deadline=None)
@given(
    names=st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=8, unique=True),
    seed=st.integers(0, 10_000),
    threshold=st.floats(0.0, 1.0),
)
def test_one_to_one_and_never_below_the_threshold(names, seed, threshold):
    destination = _table(names, seed)
    source = _table(list(reversed(names)), seed + 1).rename(columns=lambda c: c.replace(" ", ""))
    mapping = derive_mapping(source, destination, min_confidence=threshold)
    used = [r.source.c_id for r in mapping.rows if r.source]
    assert len(used) == len(set(used))
    # Confident pairs reach the threshold; suggestions (in the payload, marked for review)
    # reach the lower one, never above it.
    assert all(r.confidence >= threshold for r in mapping.rows if r.status == "matched")
    suggest_min = min(DEFAULT_SUGGEST_MIN, threshold)
    assert all(
        suggest_min <= r.confidence < threshold for r in mapping.rows if r.status == "suggested"
    )
    assert sorted(mapping.unused_source + used) == sorted(source.columns)
