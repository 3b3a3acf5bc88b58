"""Listing frames: declared columns and dtype kinds, also when empty; projection; get."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.api import types as pdt

from mammoth_pandas import contract as C
from mammoth_pandas import frames
from mammoth_pandas._columns import CHUNK_ROWS, FIRST_CHUNK_ROWS
from mammoth_pandas.sandbox import Sandbox


def check_kinds(df: pd.DataFrame) -> None:
    """Assert dtype kinds that hold on pandas 2 and 3 alike."""
    assert df.index.name == "id"
    assert pdt.is_integer_dtype(df.index.dtype)
    kinds = {
        "name": pdt.is_string_dtype,
        "created_at": lambda d: isinstance(d, pd.DatetimeTZDtype) and str(d.tz) == "UTC",
        "row_count": lambda d: pdt.is_integer_dtype(d) and pd.api.types.is_extension_array_dtype(d),
        "column_count": lambda d: pdt.is_integer_dtype(d) and pdt.is_extension_array_dtype(d),
        "source_dataset_id": lambda d: pdt.is_integer_dtype(d) and pdt.is_extension_array_dtype(d),
        "data_schema": pdt.is_object_dtype,
    }
    for column in df.columns:
        dtype = df[column].dtype
        if column in kinds:
            assert kinds[column](dtype), (column, dtype)
        else:
            assert isinstance(dtype, pd.CategoricalDtype), (column, dtype)
    if "state" in df.columns:
        assert list(df["state"].cat.categories) == list(C.BATCH_STATES)


def test_listing_has_every_declared_column_with_its_dtype(client, ids) -> None:
    df = client.batches.list(*ids)
    assert list(df.columns) == [c.name for c in frames.BATCH_COLUMNS if c.name != "data_schema"]
    check_kinds(df)
    assert len(df) == 60
    assert df.index.is_unique
    assert set(df["state"].dropna()) <= set(C.BATCH_STATES)
    assert df["created_at"].notna().all()
    assert (df["row_count"] >= 0).all()
    # flattened sources are readable values
    appended = df[df.source_type == "dataset"]
    assert len(appended) > 0
    assert appended.source_dataset_id.notna().all()
    assert appended.source_dataset_name.notna().all()
    files = df[df.source_type == "file"]
    assert files.source_file_name.notna().all()
    assert files.source_url.str.startswith("https://").all()


def test_empty_listing_has_the_same_columns_and_dtypes(client, ids) -> None:
    full = client.batches.list(*ids)
    empty = client.batches.list(*ids, created_at=("1990-01-01", "1990-01-02"))
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    check_kinds(empty)
    for column in full.columns:
        assert type(empty[column].dtype) is type(full[column].dtype), column
    assert empty.state.dtype == full.state.dtype


def test_fields_project_columns(client, ids) -> None:
    df = client.batches.list(*ids, fields="id,name")
    assert list(df.columns) == ["name"]
    df = client.batches.list(*ids, fields=["state", "source"])
    assert list(df.columns) == ["state"] + [
        c.name for c in frames.BATCH_COLUMNS if c.field == "source"
    ]
    df = client.batches.list(*ids, fields="__full", limit=3)
    assert "data_schema" in df.columns
    first = df["data_schema"].iloc[0]
    assert isinstance(first, list)
    assert {"c_id", "c_name", "c_type"} <= set(first[0])
    check_kinds(df)


def test_get_returns_a_series_with_the_listing_values(client, ids) -> None:
    df = client.batches.list(*ids)
    batch_id = int(df.index[5])
    series = client.batches.get(*ids, batch_id)
    assert isinstance(series, pd.Series)
    assert series.name == batch_id
    assert list(series.index) == list(df.columns)
    for column in df.columns:
        expected, got = df.loc[batch_id, column], series[column]
        assert (pd.isna(expected) and pd.isna(got)) or expected == got, column
    assert isinstance(series["created_at"], pd.Timestamp)
    assert series["created_at"].tz is not None
    full = client.batches.get(*ids, batch_id, fields="__full")
    assert isinstance(full["data_schema"], list)


def test_frame_building_tolerates_unknown_states_and_odd_values() -> None:
    records = [
        {"id": 2, "name": 5, "state": "archived_in_future", "created_at": "not a time",
         "row_count": "12", "source": "weird",
         "description": {"numeric_error_columns": ["a", "b"]}},
        {"id": 1, "state": None, "created_at": "2024-02-04T14:44:41.532345Z", "row_count": None},
        {"id": 2, "name": "duplicate"},
    ]  # fmt: skip
    with pytest.warns(frames.ValueWarning, match=r"created_at: 1 not readable as a time"):
        df = frames.batch_frame(records)
    assert list(df.index) == [2, 1]
    assert df.loc[2, "state"] == "archived_in_future"
    assert set(C.BATCH_STATES) <= set(df.state.cat.categories)
    assert pd.isna(df.loc[2, "created_at"])
    assert df.loc[2, "row_count"] == 12
    assert df.loc[2, "name"] == "5"
    assert df.loc[2, "numeric_error_columns"] == "a, b"
    assert pd.isna(df.loc[2, "source_type"])
    assert df.loc[1, "created_at"] == pd.Timestamp("2024-02-04T14:44:41.532345Z")


def test_schema_and_datasets_frames(client, ids) -> None:
    schema = client.datasets.schema(*ids)
    assert list(schema.columns) == ["c_id", "c_name", "c_type"]
    assert pdt.is_string_dtype(schema.c_id.dtype)
    assert set(schema.c_type) <= set(C.COLUMN_TYPES)
    assert schema.c_id.str.match(r"column_\d+").all()
    datasets = client.datasets.list(ids[0], ids[1])
    assert ids[2] in datasets.index
    assert pdt.is_string_dtype(datasets.name.dtype)
    assert isinstance(datasets.created_at.dtype, pd.DatetimeTZDtype)
    assert pdt.is_integer_dtype(datasets.batch_count.dtype)
    info = client.datasets.get(*ids)
    assert info["id"] == ids[2]
    assert len(info["data_schema"]) == len(schema)


@pytest.mark.parametrize("state", C.BATCH_STATES)
def test_state_filter_matches_the_state_column(client, ids, state: str) -> None:
    df = client.batches.list(*ids, status=state)
    assert (df.state == state).all()
    assert len(df) == (client.batches.list(*ids).state == state).sum()


def test_pickled_frame_round_trips(sandbox: Sandbox, ids) -> None:
    import pickle

    df = sandbox.client().batches.list(*ids)
    again = pickle.loads(pickle.dumps(df))
    pd.testing.assert_frame_equal(df, again)
    assert again.attrs == df.attrs


# -- value robustness: what a column cannot hold becomes missing, counted -----------------


def test_dates_beyond_nanosecond_range_become_nat_with_their_count() -> None:
    records = [
        {"id": 1, "created_at": "0001-01-01T00:00:00Z"},
        {"id": 2, "created_at": "9999-12-31T23:59:59.999999Z"},
        {"id": 3, "created_at": "2024-02-04T14:44:41.532345Z"},
        {"id": 4, "created_at": None},
    ]
    with pytest.warns(frames.ValueWarning) as caught:
        df = frames.batch_frame(records, ["id", "created_at"])
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "created_at: 2 beyond what datetime64[ns] holds" in message
    assert "not readable" not in message  # the missing one is not counted as lost
    assert df.created_at.dtype == frames.UTC
    assert df.created_at.isna().tolist() == [True, True, False, True]
    assert df.loc[3, "created_at"] == pd.Timestamp("2024-02-04T14:44:41.532345Z")


def test_nan_and_infinity_in_counts_become_na() -> None:
    records = [
        {"id": 1, "row_count": float("nan"), "column_count": 3},
        {"id": 2, "row_count": float("inf"), "column_count": float("-inf")},
        {"id": 3, "row_count": 7, "column_count": 2.0},
        {"id": 4, "row_count": 2**70, "column_count": 12.5},
    ]
    with pytest.warns(frames.ValueWarning, match=r"row_count: 3 not an integer") as caught:
        df = frames.batch_frame(records, ["id", "row_count", "column_count"])
    assert "column_count: 2 not an integer" in str(caught[0].message)
    assert df.row_count.dtype == "Int64"
    assert df.row_count.isna().tolist() == [True, True, False, True]
    assert df.loc[3, "row_count"] == 7
    assert df.column_count.isna().tolist() == [False, True, False, True]
    assert df.loc[3, "column_count"] == 2


def test_a_listing_fed_page_by_page_equals_one_built_at_once() -> None:
    kinds = ["file", "dataset", None, "cloud"]
    records = [
        {"id": i, "name": f"b{i}" if i % 5 else None, "state": C.BATCH_STATES[i % 4],
         "created_at": f"2024-01-{1 + i % 28:02d}T00:00:00Z", "row_count": i if i % 3 else None,
         "column_count": 3,
         "source": {"type": kinds[i % 4], "dataset_id": i if i % 4 == 1 else None},
         "description": {"date_error_columns": ["d"]} if i % 7 == 0 else {}}
        for i in range(1, 2_500)
    ]  # fmt: skip
    whole = frames.batch_frame(records, unique=True)
    build = frames.batch_builder()
    build.chunk_rows = 300  # several chunks, boundaries inside pages
    for start in range(0, len(records), 100):
        build.add(records[start : start + 100])
    pd.testing.assert_frame_equal(build.frame(), whole, check_exact=True)
    assert list(whole.source_type.cat.categories) == ["cloud", "dataset", "file"]
    check_kinds(whole)


def test_categories_first_seen_in_a_later_chunk_keep_their_values() -> None:
    build = frames.batch_builder(["id", "state", "source"])
    build.chunk_rows = 2
    build.add([{"id": 1, "state": "active", "source": {"type": "file"}}] * 1)
    build.add([{"id": 2, "state": "active"}, {"id": 3, "state": "archived_later"}])
    build.add([{"id": 4, "state": "new_state", "source": {"type": "cloud"}}])
    df = build.frame()
    assert df.state.tolist() == ["active", "active", "archived_later", "new_state"]
    assert list(df.state.cat.categories) == [*C.BATCH_STATES, "archived_later", "new_state"]
    assert df.source_type.tolist()[::3] == ["file", "cloud"]
    assert df.source_type.isna().tolist() == [False, True, True, False]


def test_odd_category_values_read_as_text_in_any_chunk() -> None:
    """Lists are joined and numbers and booleans read as text, whether a chunk first meets
    them or they arrive among values already seen."""
    rows = [["b", "a"], 5, True, "x", None, ["b", "a"], "x", 5, False, None]
    build = frames.batch_builder(["id", "source"])
    build.chunk_rows = 3
    for start in range(0, len(rows), 2):
        pair = enumerate(rows[start : start + 2])
        build.add([{"id": start + i, "source": {"type": v}} for i, v in pair])
    df = build.frame()
    expected = ["b, a", "5", "True", "x", None, "b, a", "x", "5", "False", None]
    assert [None if pd.isna(v) else v for v in df.source_type] == expected
    assert list(df.source_type.cat.categories) == sorted({v for v in expected if v})


def test_values_waiting_for_conversion_stay_a_fraction_of_the_rows_converted() -> None:
    build = frames.batch_builder(["id", "name"])
    most_waiting = 0
    for start in range(0, 100_000, 100):
        build.add([{"id": i, "name": f"b{i}"} for i in range(start, start + 100)])
        if build.rows >= 8 * FIRST_CHUNK_ROWS:
            most_waiting = max(most_waiting, build._pending_rows / build.rows)
        assert build._pending_rows < max(FIRST_CHUNK_ROWS, min(CHUNK_ROWS, build.rows // 8))
    assert 0.08 < most_waiting <= 0.125  # an eighth of the rows, until chunks reach their most
    assert build.frame().index.tolist() == list(range(100_000))
