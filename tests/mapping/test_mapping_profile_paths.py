"""The quicker ways of profiling values give what the plain ways give, value for value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.mapping import dates, derive_mapping, infer
from mammoth_pandas.mapping.dates import _days, parse_dates
from mammoth_pandas.mapping.infer import _FORMATS, value_format

VALUES = [
    "ann@example.com", "WWW.Example.org/x", "https://a.b/c", "0f8fad5b-d9cb-469f-a165-70867728950e",
    "2024-01-02", "1/2/24", "2024-01-02T10:11:12Z", "+1 (555) 123-4567", "1,234.50", "-3",
    "AB-123", "x9", "Oslo", "O'Neil", "New York", "St. Louis 2", "¿qué?", "", "  padded  ",
    "12 Main St.", "a@b", "1e5", "ÉCOLE", "--", "2024/13/45",
]  # fmt: skip


def _one_by_one(text: str) -> str:
    text = text.strip()
    for name, pattern in _FORMATS:
        if pattern.match(text):
            return name
    return "other"


def test_value_format_in_one_pattern_matches_the_formats_tried_in_order():
    assert [value_format(v) for v in VALUES] == [_one_by_one(v) for v in VALUES]
    assert value_format("ann@example.com") == "email"
    assert value_format("¿qué?") == "other"


def _parsed_days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce", utc=True).dropna()
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype="float64")
    return seconds / 86400.0


@pytest.mark.parametrize(
    "stamps",
    [
        pd.Series(pd.date_range("1900-01-01", periods=300, freq="37h")),
        pd.Series(pd.date_range("2020-03-28", periods=80, freq="1h", tz="Europe/Paris")),
        pd.Series(pd.date_range("2020-01-01", periods=40, freq="D").as_unit("s")),
        pd.Series(
            pd.to_datetime(
                ["2020-01-01 00:00:00", None, "2021-05-06 10:11:12.1234"], format="ISO8601"
            )
        ),
        pd.to_datetime(
            pd.Series(["2023-08-23T07:13:14Z", "2023-08-24T07:13:15Z"]), format="ISO8601"
        ),
    ],
)
def test_days_of_timestamps_equal_days_of_parsed_timestamps(stamps: pd.Series):
    assert np.array_equal(_days(stamps), _parsed_days(stamps))


def test_days_outside_the_nanosecond_range_are_counted_not_refused():
    # Built in seconds from the start: pandas 2's date_range passes through nanoseconds.
    stamps = pd.Series(np.array(["1500-01-01", "1500-01-02", "1500-01-03"], dtype="datetime64[s]"))
    assert list(_days(stamps)) == [-171664.0, -171663.0, -171662.0]
    source = pd.DataFrame({"founded": stamps, "name": ["a", "b", "c"]})
    mapping = derive_mapping(source, source.copy())
    assert {r.destination.c_id: r.source.c_id for r in mapping.rows if r.source} == {
        "founded": "founded",
        "name": "name",
    }


def _every_format_ranked(text: pd.Series) -> list[str]:
    positions = np.linspace(0, len(text) - 1, min(dates._PROBE, len(text))).round().astype(int)
    probe = [str(v) for v in text.iloc[positions]]
    ranked = [(-h, o, f) for o, f in enumerate(dates._DATE_FORMATS) if (h := dates._hits(probe, f))]
    return [f for _, _, f in sorted(ranked)] or list(dates._DATE_FORMATS)


@pytest.mark.parametrize(
    "texts",
    [
        ["2024-01-02", "2024-02-03", "2024-03-04"],
        ["01/02/2024", "03/04/2024", "12/11/2023"],
        ["13/02/2024", "03/04/2024", "12/11/2023"],  # day first on one of them only
        ["Jan 5, 2024", "March 6, 2024", "Feb 7, 2024"],
        ["5 Jan 2024", "6 March 2024", "never"],
        ["soon", "later", "never"],
        ["01/02/24 10:00", "03.04.2024", "2024-05-06"],
    ],
)
def test_date_formats_come_in_the_order_of_a_full_ranking(texts: list[str]):
    text = pd.Series(texts * 5, dtype=object)
    assert list(dates._formats_to_try(text)) == _every_format_ranked(text)


def test_parse_dates_takes_the_format_leading_the_probe_when_it_parses_everything():
    dates, fail = parse_dates(pd.Series(["05/01/2024", "06/02/2024", "07/03/2024"]))
    assert fail == 0.0
    assert list(dates.dt.month) == [5, 6, 7]  # month first: the first format that fits all


def test_phone_numbers_with_spaces_are_text_and_spaced_thousands_are_numbers():
    uk = pd.Series(["+44 7748 345262", "+44 7907 923522", "+44 7062 127423"] * 4)
    assert infer.infer_type(uk) == "text"
    assert (
        infer.infer_type(pd.Series(["1 234 567", "12 000", "(3 500)", "€ 1 000"] * 3)) == "numeric"
    )
    us = pd.Series(["+1 (412) 344-3373", "+1 (702) 840-9667", "+1 (650) 410-3233"] * 4)
    source = pd.DataFrame({"Phone": us, "AccountId": range(100, 112)})
    destination = pd.DataFrame({"phone": uk, "account": range(5, 17)})
    rows = {r.destination.c_id: r for r in derive_mapping(source, destination).rows}
    assert rows["phone"].source is not None
    assert rows["phone"].source.c_id == "Phone"
    assert rows["phone"].destination.c_type == "text"


def _strptime_parses(value: str, fmt: str) -> bool:
    from datetime import datetime

    try:
        if fmt == "ISO8601":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _dates_written(rng: np.random.Generator, fmt: str) -> str:
    """A value in ``fmt``, sometimes an impossible one (day 31 of a short month, 29 February
    of a common year, hour 24, minute 60), with padding and case as people write them."""
    year = int(rng.choice([1900, 1969, 1999, 2000, 2023, 2024, 2068, 2069]))
    month, day = int(rng.integers(1, 13)), int(rng.integers(1, 32))
    parts = {
        "%Y": str(year),
        "%y": f"{year % 100:02d}",
        "%m": str(rng.choice([str(month), f"{month:02d}"])),
        "%d": str(rng.choice([str(day), f"{day:02d}", f"{day:2d}"])),
        "%b": str(rng.choice(["Jan", "feb", "MAR", "May", "Sep", "Dec", "Sept"])),
        "%B": str(rng.choice(["January", "february", "MAY", "September", "Sept", "Dec"])),
        "%H": str(rng.integers(0, 26)),
        "%M": f"{int(rng.integers(0, 62)):02d}",
    }
    for directive, text in parts.items():
        fmt = fmt.replace(directive, text)
    return fmt.replace(" ", "  ") if rng.random() < 0.2 else fmt


def test_a_date_format_pattern_gives_strptimes_verdict():
    rng = np.random.default_rng(7)
    values = [_dates_written(rng, str(rng.choice(dates._DATE_FORMATS[1:]))) for _ in range(3000)]
    values += ["29/02/2023", "29/02/2024", "31/04/2024", "30/04/2024", "2024-13-01", "", "x"]
    verdicts = [(v, f, dates._parses(v, f)) for v in values for f in dates._DATE_FORMATS]
    assert [(v, f, _strptime_parses(v, f)) for v, f, _ in verdicts] == verdicts
    assert sum(ok for *_, ok in verdicts) > 1000  # most values parse in some format


def test_dates_from_a_profile_equal_dates_parsed_from_a_series():
    texts = ["03/04/2024", "12/31/2023", "07/08/2024", "soon"] * 4
    parsed, fail = parse_dates(pd.Series(texts))
    index, fail_too = dates._parse_date_texts(texts)
    assert fail == fail_too == 0.25
    assert parsed.equals(pd.Series(index))
    assert np.array_equal(_days(index), _days(parsed))
    assert infer.profile(pd.Series(texts[:3] * 5)).kind == "date"
    assert parse_dates(pd.Series([], dtype=object))[0].empty
