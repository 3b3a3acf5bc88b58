"""Property-based bad input on the client side: whatever value reaches a parameter parser
or the mapping helper, the outcome is a valid result or ``MammothInputError`` naming the
field; never another exception (``TypeError``, ``KeyError``, ``OverflowError``…), which
a notebook user would read as a bug."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.mapping import Mapping, derive_mapping

INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE batches; --', "../", "%00", "\x00", "🦣", "A" * 3000]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(INJECTIONS),
    st.sampled_from([pd.NA, pd.NaT, np.nan, np.int64(5), np.float64(2.5), np.bool_(True)]),
    st.sampled_from(list(C.BATCH_STATES) + list(C.BATCH_FIELDS) + list(C.FIELD_PRESETS)),
    st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)),
    st.dates(),
    st.sampled_from(["(id:asc)", "-created_at", "(from:'2024-01-01')", "2024-01-01"]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.tuples(scalars, scalars),
    st.dictionaries(st.sampled_from(["from", "to", "start", "end", "x"]), scalars, max_size=3),
    st.builds(slice, scalars, scalars),
    st.sets(st.integers(-5, 5), max_size=3),
    st.lists(st.tuples(st.sampled_from([*C.SORTABLE_FIELDS, "x"]), scalars), max_size=3),
)

PARSERS = {
    "fields": P.fields,
    "id": lambda v: P.id_list("id", v),
    "status": P.states,
    "row_count": P.row_counts,
    "created_at": P.created_at,
    "sort": P.sort,
    "limit": P.limit,
    "page_size": P.page_size,
    "offset": lambda v: P.non_negative_int("offset", v),
    "batch_id": P.batch_id,
    "timeout": P.timeout,
    "wait": lambda v: P.flag("wait", v),
}

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _names_its_field(error: MammothInputError, field: str | None = None) -> None:
    if field is not None:
        assert error.field == field, error
    assert str(error).startswith(f"{error.field}: ")


@pytest.mark.parametrize("field", sorted(PARSERS))
def test_parameter_parsers_answer_or_refuse_by_name(field, figures):
    tried = []

    @SETTINGS
    @given(value=values)
    def check(value: Any) -> None:
        tried.append(1)
        try:
            PARSERS[field](value)
        except MammothInputError as error:
            _names_its_field(error, field)

    check()
    figures.add("bad_inputs_client_fuzzed", len(tried))


names = st.one_of(st.text(max_size=12), st.sampled_from(INJECTIONS), st.none(), st.integers())
types = st.one_of(
    st.sampled_from(["text", "TEXT", "numeric", "Date", "date ", "blob", "", "NUMERIC"]),
    st.none(),
    st.integers(),
)
schema_items = st.one_of(
    st.fixed_dictionaries({"c_id": names, "c_name": names, "c_type": types}),
    st.dictionaries(st.sampled_from(["c_id", "c_name", "c_type", "C_ID", "x"]), names, max_size=4),
    names,
)
schemas = st.lists(schema_items, max_size=5)
frames = st.lists(st.one_of(st.text(max_size=8), st.integers(-3, 3)), max_size=5).map(
    lambda cols: pd.DataFrame({i: [1, "a", None] for i in range(len(cols))}).set_axis(cols, axis=1)
)
sides = st.one_of(schemas, frames, scalars)


@SETTINGS
@given(
    source=sides,
    destination=sides,
    confidence=st.one_of(st.floats(allow_nan=True), st.integers(-2, 2), st.none(), st.text()),
)
def test_the_mapping_helper_answers_or_refuses_by_name(figures, source, destination, confidence):
    figures.add("bad_inputs_client_fuzzed")
    try:
        mapping = derive_mapping(source, destination, min_confidence=confidence)
    except MammothInputError as error:
        _names_its_field(error)
        return
    assert isinstance(mapping, Mapping)
    assert isinstance(confidence, (int, float))
    assert not isinstance(confidence, bool)
    assert not math.isnan(confidence)
    for item in mapping.payload():
        assert all(isinstance(v, str) and v for v in item.values())
    frame = mapping.to_frame()
    assert len(frame) == len(mapping.destination.columns)


@SETTINGS
@given(dest=names, source=names, by=st.one_of(st.sampled_from(["id", "name"]), st.text()))
def test_correcting_a_mapping_answers_or_refuses_by_name(figures, dest, source, by):
    figures.add("bad_inputs_client_fuzzed")
    mapping = derive_mapping(
        [{"c_id": "column_1", "c_name": "Full name", "c_type": "text"}],
        [{"c_id": "column_1", "c_name": "Customer", "c_type": "text"}],
    )
    for action in (
        lambda: mapping.override(dest, source),
        lambda: mapping.unset(dest),
        lambda: mapping.confirm(dest),
        lambda: mapping.payload(by=by),
    ):
        try:
            action()
        except MammothInputError as error:
            _names_its_field(error)
