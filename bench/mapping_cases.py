"""Labelled source/destination pairs for the mapping benchmark, built from real public tables.

The tables ship inside packages (``vega_datasets`` local data, scikit-learn's bundled
datasets, statsmodels' datasets): nothing is downloaded. Each case takes one table as the
destination and derives the source from it, so the right answer is known: columns are
renamed, reordered, dropped and added; names are abbreviated, replaced by synonyms,
misspelt or made opaque; numbers and dates are stored as text; units change; source and
destination hold disjoint samples of rows. Everything is seeded and deterministic.

Levels:

- ``easy``: style changes only (case, separators, camelCase), reordering, one dropped and
  one extra column, overlapping rows.
- ``medium``: adds abbreviations, synonyms, typos, numbers and dates stored as text, more
  dropped and extra columns, disjoint rows.
- ``hard``: adds opaque names (``col_7``), unit changes, synonyms with typos, reordered words,
  columns held back from the destination that stay in the source as decoys.

Tables are split before any tuning into a development set (used while tuning the matcher)
and a held-out set (never looked at while tuning), with a second held-out set of other
tables (:data:`FRESH`), a third of new draws of both (:data:`NEW_DRAW_VARIANT`), a fourth
of further draws (:data:`BLIND_DRAW_VARIANT`) and a fifth of sealed draws
(:data:`SEALED_DRAW_VARIANT`), each added once the sets before it had been read, and a
sixth of tables no other set uses (:data:`UNSEEN`), declared before the tuning round that
followed the fifth set's reading, and an eighth part, *final held-out* (:data:`FINAL`), of the
remaining bundled tables and new draws of the unseen ones, declared before the round that
followed the sixth set's reading, and a ninth part, *ninth held-out* (:data:`NINTH`), of tables
bundled in two other packages (plotly's ``plotly.data`` and ``palmerpenguins``), declared
before the round that followed the reading of every part before it; the benchmark reports
each apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mammoth_pandas.mapping.normalize import canonical, words

__all__ = [
    "FINAL",
    "FINAL_DRAW_VARIANT",
    "FRESH",
    "GENERATOR_SYNONYMS",
    "HELD_OUT",
    "LEVELS",
    "NEW_DRAW_VARIANT",
    "NINTH",
    "SEALED_DRAW_VARIANT",
    "UNSEEN",
    "Case",
    "build_cases",
    "load_tables",
]

LEVELS: tuple[str, ...] = ("easy", "medium", "hard")
#: Rows per side, at most ("tables with a few hundred rows").
MAX_ROWS = 300
#: Columns per destination, at most (wider tables keep a seeded subset; the rest are decoys).
MAX_COLUMNS = 12
#: Tables held out from tuning, chosen before the matcher was first run on any table.
HELD_OUT: frozenset[str] = frozenset(
    {"vega:la-riots", "vega:barley", "sklearn:diabetes", "statsmodels:star98",
     "statsmodels:randhie", "statsmodels:grunfeld"}
)  # fmt: skip

#: A second held-out set, added after the first held-out scores had been read once: never
#: run while tuning, read once for the README.
FRESH: frozenset[str] = frozenset(
    {"vega:driving", "vega:ohlc", "vega:crimea", "statsmodels:ccard",
     "statsmodels:interest_inflation", "statsmodels:danish_data", "statsmodels:statecrime",
     "statsmodels:scotland"}
)  # fmt: skip

#: Words the generator may swap for another: written from the tables' own vocabulary,
#: independently of the matcher's table (``mammoth_pandas.mapping.normalize.SYNONYMS``);
#: the benchmark reports how many of these swaps that table happens to cover.
GENERATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("title", "label"),
    "city": ("town", "municipality"),
    "state": ("province", "region"),
    "country": ("nation",),
    "latitude": ("lat",),
    "longitude": ("lng", "lon"),
    "date": ("day", "when"),
    "year": ("yr", "season"),
    "month": ("period",),
    "weight": ("mass",),
    "price": ("cost", "value"),
    "precipitation": ("rainfall", "rain"),
    "wind": ("wind speed", "gust"),
    "temp": ("temperature",),
    "max": ("maximum", "high"),
    "min": ("minimum", "low"),
    "weather": ("conditions", "sky"),
    "horsepower": ("power", "hp"),
    "displacement": ("engine size",),
    "acceleration": ("accel", "pickup"),
    "origin": ("region", "made in"),
    "cylinders": ("cyl", "engine cylinders"),
    "species": ("kind", "type"),
    "length": ("len", "size"),
    "width": ("breadth",),
    "gender": ("sex",),
    "age": ("years old", "age years"),
    "race": ("ethnicity",),
    "address": ("street", "location"),
    "neighborhood": ("district", "area"),
    "type": ("category", "kind"),
    "yield": ("harvest", "output"),
    "variety": ("cultivar", "strain"),
    "site": ("location", "farm"),
    "income": ("earnings", "revenue"),
    "educ": ("education", "schooling"),
    "education": ("schooling",),
    "occupation": ("job", "profession"),
    "children": ("kids",),
    "religious": ("religiosity", "faith"),
    "affairs": ("infidelity",),
    "invest": ("investment", "capex"),
    "value": ("worth", "valuation"),
    "capital": ("assets",),
    "firm": ("company", "business"),
    "alcohol": ("abv", "ethanol"),
    "hue": ("tint", "colour"),
    "color": ("colour",),
    "intensity": ("strength",),
    "magnesium": ("mg",),
    "radius": ("rad",),
    "texture": ("grain",),
    "area": ("surface",),
    "smoothness": ("evenness",),
    "error": ("se", "std error"),
    "mean": ("avg", "average"),
    "worst": ("largest", "extreme"),
    "unemp": ("unemployment", "jobless"),
    "pop": ("population",),
    "infl": ("inflation",),
    "cpi": ("prices",),
    "quarter": ("qtr", "q"),
    "mining": ("extraction",),
    "construction": ("building",),
    "manufacturing": ("factories",),
    "government": ("public sector", "govt"),
    "retail": ("shops",),
    "trade": ("commerce",),
    "sepal": ("sepals",),
    "petal": ("petals",),
    "individual": ("person", "respondent"),
    "choice": ("chosen", "selected"),
    "mode": ("transport mode",),
    "vote": ("ballot",),
}

_STYLES = ("snake", "upper", "camel", "pascal", "title", "kebab", "spaced")
_UNIT_CHANGES: tuple[tuple[float, float, str], ...] = (
    (0.45359237, 0.0, "kg"),
    (2.54, 0.0, "cm"),
    (1.609344, 0.0, "km"),
    (100.0, 0.0, "pct"),
    (0.001, 0.0, "thousands"),
    (1.8, 32.0, "f"),
)
_DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%b %d, %Y", "%Y-%m-%d", "%d.%m.%Y")
_SYNTHETIC_EXTRAS: tuple[tuple[str, str], ...] = (
    ("record_id", "ids"),
    ("loaded_at", "timestamps"),
    ("notes", "words"),
    ("is_valid", "flags"),
    ("checksum", "hex"),
    ("batch_no", "batch"),
)


@dataclass
class Case:
    """One labelled pair: ``truth`` maps each destination column to its source column or None."""

    case_id: str
    table: str
    level: str
    held_out: bool
    source: pd.DataFrame
    destination: pd.DataFrame
    truth: dict[str, str | None]
    renames: dict[str, str] = field(default_factory=dict)
    synonym_swaps: list[tuple[str, str]] = field(default_factory=list)
    source_rows: tuple[int, ...] = ()
    destination_rows: tuple[int, ...] = ()
    #: In the second held-out set (see :data:`FRESH`).
    fresh: bool = False
    #: In the third held-out set: new draws of held-out tables and domains (see
    #: :data:`NEW_DRAW_VARIANT`).
    new_draw: bool = False
    #: In the fourth held-out set: further draws of held-out tables and domains (see
    #: :data:`BLIND_DRAW_VARIANT`).
    blind_draw: bool = False
    #: In the fifth held-out set: sealed draws of held-out tables and domains (see
    #: :data:`SEALED_DRAW_VARIANT`).
    sealed_draw: bool = False
    #: In the sixth held-out set: tables no other set uses (see :data:`UNSEEN`).
    unseen_table: bool = False
    #: In the final held-out part: the remaining tables and new draws of the unseen ones (see
    #: :data:`FINAL`).
    final: bool = False
    #: In the ninth held-out part: tables of two other packages (see :data:`NINTH`).
    ninth: bool = False

    @property
    def split(self) -> str:
        """``tuning``, ``held-out``, ``fresh held-out``, ``new draws held-out``,
        ``blind draws held-out``, ``sealed draws held-out``, ``unseen tables held-out``,
        ``final held-out`` or ``ninth held-out``."""
        if self.ninth:
            return "ninth held-out"
        if self.final:
            return "final held-out"
        if self.unseen_table:
            return "unseen tables held-out"
        if self.sealed_draw:
            return "sealed draws held-out"
        if self.blind_draw:
            return "blind draws held-out"
        if self.new_draw:
            return "new draws held-out"
        if self.fresh:
            return "fresh held-out"
        return "held-out" if self.held_out else "tuning"


def _vega(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from vega_datasets import local_data

        return getattr(local_data, name.replace("-", "_"))()

    return load


def _sklearn(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        frame = bunch.frame.copy()
        if "target" in frame and name in ("wine", "iris", "breast_cancer"):
            names = np.asarray(bunch.target_names)
            frame["target"] = names[frame["target"].to_numpy()]
        return frame

    return load


def _statsmodels(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from statsmodels import datasets

        return getattr(datasets, name).load_pandas().data

    return load


def _plotly(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from plotly import data

        return getattr(data, name)()

    return load


def _penguins(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import palmerpenguins

        return getattr(palmerpenguins, f"load_{name}")()

    return load


#: table key → loader. Every table has 50+ rows and 4+ columns.
TABLES: dict[str, Callable[[], pd.DataFrame]] = {
    "vega:airports": _vega("airports"),
    "vega:cars": _vega("cars"),
    "vega:seattle-weather": _vega("seattle-weather"),
    "vega:us-employment": _vega("us-employment"),
    "vega:barley": _vega("barley"),
    "vega:iris": _vega("iris"),
    "vega:la-riots": _vega("la-riots"),
    "sklearn:wine": _sklearn("wine"),
    "sklearn:breast_cancer": _sklearn("breast_cancer"),
    "sklearn:diabetes": _sklearn("diabetes"),
    "statsmodels:macrodata": _statsmodels("macrodata"),
    "statsmodels:fair": _statsmodels("fair"),
    "statsmodels:anes96": _statsmodels("anes96"),
    "statsmodels:star98": _statsmodels("star98"),
    "statsmodels:grunfeld": _statsmodels("grunfeld"),
    "statsmodels:modechoice": _statsmodels("modechoice"),
    "statsmodels:randhie": _statsmodels("randhie"),
    "vega:driving": _vega("driving"),
    "vega:ohlc": _vega("ohlc"),
    "vega:crimea": _vega("crimea"),
    "statsmodels:ccard": _statsmodels("ccard"),
    "statsmodels:interest_inflation": _statsmodels("interest_inflation"),
    "statsmodels:danish_data": _statsmodels("danish_data"),
    "statsmodels:statecrime": _statsmodels("statecrime"),
    "statsmodels:scotland": _statsmodels("scotland"),
}


#: The sixth held-out set, *unseen tables held-out*: declared and committed before the
#: tuning round that followed the fifth set's reading, before the matcher had been run on
#: any of them. The rule, applied to table names and column counts only
#: (:func:`unseen_candidates`): every table bundled in the three packages (statsmodels'
#: datasets, vega_datasets' local data, scikit-learn's ``load_*`` tables) that no other set
#: uses and that is not a copy of one (scikit-learn's iris is vega's), that loads offline
#: with at least :data:`UNSEEN_MIN_COLUMNS` columns; in sorted order of key, the first
#: :data:`UNSEEN_MAX_TABLES`.
UNSEEN: dict[str, Callable[[], pd.DataFrame]] = {
    "sklearn:digits": _sklearn("digits"),
    "sklearn:linnerud": _sklearn("linnerud"),
    "statsmodels:committee": _statsmodels("committee"),
    "statsmodels:copper": _statsmodels("copper"),
    "statsmodels:cpunish": _statsmodels("cpunish"),
    "statsmodels:elnino": _statsmodels("elnino"),
    "statsmodels:fertility": _statsmodels("fertility"),
    "statsmodels:longley": _statsmodels("longley"),
}
UNSEEN_MIN_COLUMNS = 5
UNSEEN_MAX_TABLES = 8
#: The eighth part, *final held-out*: declared and committed before the tuning round that
#: followed the sixth set's reading, before the matcher had been run on any of it, to be run
#: once on the final matcher. Every table the rule of :data:`UNSEEN` gives after its first
#: :data:`UNSEEN_MAX_TABLES` (:func:`final_candidates`; names and column counts only), at
#: every variant, and the unseen tables' draws from :data:`FINAL_DRAW_VARIANT` on.
FINAL: dict[str, Callable[[], pd.DataFrame]] = {
    "vega:burtin": _vega("burtin"),
}
#: Variants from this number on of the unseen tables are in the final held-out part: above
#: every sealed draw (at most ``SEALED_DRAW_VARIANT + NEW_DRAW_VARIANT``); no other part
#: uses them.
FINAL_DRAW_VARIANT = 300
#: The ninth part, *ninth held-out*: declared and committed before the tuning round that
#: followed the reading of the eighth, before the matcher had been run on any of it, to be
#: run once on the final matcher, at every variant (no other part uses these tables). The
#: rule, applied to table names, column and row counts only (:func:`ninth_candidates`):
#: every table that a public function of ``plotly.data`` (called with its defaults) or a
#: ``load_*`` function of ``palmerpenguins`` returns as a DataFrame, offline, with at least
#: :data:`UNSEEN_MIN_COLUMNS` columns and :data:`NINTH_MIN_ROWS` rows, that is not a copy of
#: a table another part uses (plotly's iris is vega's); all of them, in sorted order of key.
NINTH: dict[str, Callable[[], pd.DataFrame]] = {
    "palmerpenguins:penguins": _penguins("penguins"),
    "palmerpenguins:penguins_raw": _penguins("penguins_raw"),
    "plotly:election": _plotly("election"),
    "plotly:experiment": _plotly("experiment"),
    "plotly:gapminder": _plotly("gapminder"),
    "plotly:stocks": _plotly("stocks"),
    "plotly:tips": _plotly("tips"),
}
#: Rows a ninth-part table has at least (every other part's tables have 50 or more).
NINTH_MIN_ROWS = 50
#: Bundled tables that are copies of one another set uses: never candidates.
_COPIES: frozenset[str] = frozenset({"sklearn:iris", "plotly:iris"})
#: scikit-learn's bundled tables (its other ``load_*`` functions load images or text files).
_SKLEARN_TABLES = ("breast_cancer", "diabetes", "digits", "iris", "linnerud", "wine")


def unseen_candidates() -> list[str]:
    """The rule that chose :data:`UNSEEN`, applied afresh to the installed packages."""
    return _candidates()[:UNSEEN_MAX_TABLES]


def final_candidates() -> list[str]:
    """The tables of :data:`FINAL`: what the rule of :data:`UNSEEN` gives after its first
    :data:`UNSEEN_MAX_TABLES`."""
    return _candidates()[UNSEEN_MAX_TABLES:]


def ninth_candidates() -> list[str]:
    """The rule that chose :data:`NINTH`, applied afresh to the installed packages."""
    import inspect

    import palmerpenguins
    from plotly import data

    loaders: dict[str, Callable[[], pd.DataFrame]] = {}
    for name in dir(data):
        if not name.startswith("_") and inspect.isfunction(getattr(data, name)):
            loaders[f"plotly:{name}"] = _plotly(name)
    for name in dir(palmerpenguins):
        if name.startswith("load_") and inspect.isfunction(getattr(palmerpenguins, name)):
            loaders[f"palmerpenguins:{name.removeprefix('load_')}"] = _penguins(
                name.removeprefix("load_")
            )
    chosen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in sorted(loaders):
            if key in _COPIES:
                continue
            try:
                frame = loaders[key]()
            except Exception:  # a function that needs arguments, or a network, is no candidate
                continue
            if (
                isinstance(frame, pd.DataFrame)
                and frame.shape[1] >= UNSEEN_MIN_COLUMNS
                and frame.shape[0] >= NINTH_MIN_ROWS
            ):
                chosen.append(key)
    return chosen


def _candidates() -> list[str]:
    import inspect

    from sklearn import datasets as sk
    from statsmodels import datasets as sm
    from vega_datasets import local_data

    loaders: dict[str, Callable[[], pd.DataFrame]] = {}
    for name in dir(sm):
        if inspect.ismodule(getattr(sm, name)) and hasattr(getattr(sm, name), "load_pandas"):
            loaders[f"statsmodels:{name}"] = _statsmodels(name)
    for name in local_data.list_datasets():
        loaders[f"vega:{name}"] = _vega(name)
    for name in _SKLEARN_TABLES:
        if hasattr(sk, f"load_{name}"):
            loaders[f"sklearn:{name}"] = _sklearn(name)
    chosen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in sorted(loaders):
            if key in TABLES or key in _COPIES:
                continue
            try:
                frame = loaders[key]()
            except Exception:  # a table that does not load offline is no candidate
                continue
            if isinstance(frame, pd.DataFrame) and frame.shape[1] >= UNSEEN_MIN_COLUMNS:
                chosen.append(key)
    return chosen


def load_tables(names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The base tables, loaded from the packages' bundled files (no network); by default
    every table but the unseen, final and ninth ones (:data:`UNSEEN`, :data:`FINAL`,
    :data:`NINTH`), which are loaded only by name."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names or list(TABLES):
            load = TABLES.get(name) or UNSEEN.get(name) or FINAL.get(name) or NINTH[name]
            out[name] = load()
    return out


# --------------------------------------------------------------------------- names
def _style(tokens: list[str], style: str) -> str:
    tokens = [t for t in tokens if t] or ["x"]
    if style == "snake":
        return "_".join(tokens)
    if style == "upper":
        return "_".join(tokens).upper()
    if style == "camel":
        return tokens[0] + "".join(t.capitalize() for t in tokens[1:])
    if style == "pascal":
        return "".join(t.capitalize() for t in tokens)
    if style == "title":
        return " ".join(t.capitalize() for t in tokens)
    if style == "kebab":
        return "-".join(tokens)
    return " ".join(tokens)


def _abbreviate(word: str, rng: np.random.Generator) -> str:
    if len(word) < 5 or word.isdigit():
        return word
    if rng.random() < 0.5:
        return word[: int(rng.integers(3, 5))]
    skeleton = word[0] + "".join(ch for ch in word[1:] if ch not in "aeiou")
    return skeleton[: int(rng.integers(3, 5))] if len(skeleton) >= 3 else word[:3]


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 5 or word.isdigit():
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return word[:i] + letters[int(rng.integers(0, 26))] + word[i + 1 :]


def _synonym(
    tokens: list[str], rng: np.random.Generator
) -> tuple[list[str], tuple[str, str] | None]:
    options = [i for i, t in enumerate(tokens) if t in GENERATOR_SYNONYMS]
    if not options:
        return tokens, None
    i = options[int(rng.integers(0, len(options)))]
    choices = GENERATOR_SYNONYMS[tokens[i]]
    new = choices[int(rng.integers(0, len(choices)))]
    return tokens[:i] + new.split() + tokens[i + 1 :], (tokens[i], new)


def _rename(
    name: str, level: str, rng: np.random.Generator, opaque: bool, used: set[str]
) -> tuple[str, tuple[str, str] | None]:
    tokens = list(words(name)) or ["x"]
    swap = None
    if opaque:
        prefix = ["col", "field", "column", "var"][int(rng.integers(0, 4))]
        new = f"{prefix}_{int(rng.integers(1, 60))}"
    else:
        if level == "easy":
            op = "style"
        elif level == "medium":
            op = str(
                rng.choice(["style", "abbreviate", "synonym", "typo"], p=[0.25, 0.25, 0.3, 0.2])
            )
        else:
            op = str(
                rng.choice(
                    ["abbreviate", "synonym", "typo", "synonym+typo", "reorder"],
                    p=[0.25, 0.3, 0.15, 0.15, 0.15],
                )
            )
        if "synonym" in op:
            tokens, swap = _synonym(tokens, rng)
            if swap is None:
                op = op.replace("synonym", "abbreviate")
        if "abbreviate" in op:
            i = int(np.argmax([len(t) for t in tokens]))
            tokens[i] = _abbreviate(tokens[i], rng)
        if "typo" in op:
            i = int(np.argmax([len(t) for t in tokens]))
            tokens[i] = _typo(tokens[i], rng)
        if op == "reorder" and len(tokens) > 1:
            tokens = tokens[1:] + tokens[:1]
        new = _style(tokens, _STYLES[int(rng.integers(0, len(_STYLES)))])
    while new in used or not new:
        new = f"{new}_{int(rng.integers(2, 9))}"
    used.add(new)
    return new, swap


# --------------------------------------------------------------------------- values
def _numbers_as_text(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    integer = bool((values.dropna() == values.dropna().round()).all())
    style = int(rng.integers(0, 3))

    def fmt(x: float) -> str | None:
        if pd.isna(x):
            return None
        if integer:
            return f"{int(x):,}" if style else str(int(x))
        return f"{x:,.3f}" if style == 1 else (f"{x:.4g}" if style == 2 else repr(float(x)))

    return pd.Series([fmt(x) for x in values], index=values.index, dtype=object)


def _dates_as_text(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    fmt = _DATE_FORMATS[int(rng.integers(0, len(_DATE_FORMATS)))]
    return pd.Series(
        [None if pd.isna(v) else pd.Timestamp(v).strftime(fmt) for v in values],
        index=values.index,
        dtype=object,
    )


def _synthetic(kind: str, n: int, rng: np.random.Generator) -> pd.Series:
    if kind == "ids":
        return pd.Series(np.arange(1, n + 1) + int(rng.integers(1000, 9000)))
    if kind == "timestamps":
        start = pd.Timestamp("2024-01-01") + pd.to_timedelta(int(rng.integers(0, 300)), unit="D")
        offsets = pd.to_timedelta(np.sort(rng.integers(0, 86400 * 30, size=n)), unit="s")
        return pd.Series(start + offsets)
    if kind == "words":
        vocab = np.array(["ok", "checked", "pending review", "n/a", "see file", "late", ""])
        return pd.Series(vocab[rng.integers(0, len(vocab), size=n)])
    if kind == "flags":
        return pd.Series(np.where(rng.random(n) < 0.8, "yes", "no"))
    if kind == "hex":
        return pd.Series([f"{int(x):08x}" for x in rng.integers(0, 2**31, size=n)])
    return pd.Series(rng.integers(1, 5, size=n))


# --------------------------------------------------------------------------- cases
def _level_counts(level: str, n: int, rng: np.random.Generator) -> tuple[int, int, int]:
    """(held back from the destination, dropped from the source, synthetic extras)."""
    if level == "easy":
        return (1 if n >= 7 else 0), 1, 1
    if level == "medium":
        return (1 if n >= 6 else 0), int(rng.integers(1, 3)), 1
    return (
        (int(rng.integers(1, 3)) if n >= 6 else 0),
        max(1, min(2, n // 3)),
        int(rng.integers(1, 3)),
    )


#: Variants from this number on are the third held-out set: new draws (other seeds) of the
#: tables of both held-out sets, declared once the first two sets had been read during
#: tuning (so were no longer blind): never run while tuning.
NEW_DRAW_VARIANT = 50
#: Variants from this number on are the fourth held-out set: further draws (other seeds) of
#: the held-out tables, declared before any tuning after the third set's blind run, to be
#: run once on the final matcher. Above every new draw (at most ``2 * NEW_DRAW_VARIANT``).
BLIND_DRAW_VARIANT = 100
#: Variants from this number on are the fifth held-out set: sealed draws (other seeds) of
#: the held-out tables, declared before any tuning once all four held-out sets had been read,
#: to be run once on the final matcher. Above every blind draw (at most
#: ``BLIND_DRAW_VARIANT + NEW_DRAW_VARIANT``).
SEALED_DRAW_VARIANT = 200


def build_case(table: str, frame: pd.DataFrame, level: str, variant: int) -> Case:
    """Derive one labelled source/destination pair from ``frame`` (deterministic).

    A held-out table's variants from :data:`NEW_DRAW_VARIANT` on are the third held-out set,
    from :data:`BLIND_DRAW_VARIANT` on the fourth, from :data:`SEALED_DRAW_VARIANT` on the
    fifth. An unseen table's (:data:`UNSEEN`) variants are in the sixth, those from
    :data:`FINAL_DRAW_VARIANT` on in the final part, as is every variant of a final table
    (:data:`FINAL`); every variant of a ninth-part table (:data:`NINTH`) is in the ninth.
    """
    ninth = table in NINTH
    drawn = table in HELD_OUT or table in FRESH
    final = table in FINAL or (table in UNSEEN and variant >= FINAL_DRAW_VARIANT)
    unseen_table = table in UNSEEN and not final
    held_out = drawn or unseen_table or final or ninth
    sealed_draw = drawn and variant >= SEALED_DRAW_VARIANT
    blind_draw = drawn and BLIND_DRAW_VARIANT <= variant < SEALED_DRAW_VARIANT
    new_draw = drawn and NEW_DRAW_VARIANT <= variant < BLIND_DRAW_VARIANT
    rng = np.random.default_rng(_stable_seed(table, level, variant))
    frame = frame.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if len(columns) > MAX_COLUMNS + 2:
        keep = sorted(rng.choice(len(columns), size=MAX_COLUMNS + 2, replace=False))
        pool = [columns[i] for i in keep]
    else:
        pool = list(columns)
    held_back_n, dropped_n, synthetic_n = _level_counts(level, len(pool), rng)
    held_back = [pool[i] for i in rng.choice(len(pool), size=held_back_n, replace=False)]
    dest_columns = [c for c in pool if c not in held_back][:MAX_COLUMNS]
    dropped = [
        dest_columns[i] for i in rng.choice(len(dest_columns), size=dropped_n, replace=False)
    ]

    order = rng.permutation(len(frame))
    half = min(MAX_ROWS, len(frame) // 2)
    dest_rows = order[:half] if level != "easy" else order[: min(MAX_ROWS, len(frame))]
    if level == "easy":
        src_rows = rng.permutation(dest_rows)[: max(10, int(len(dest_rows) * 0.8))]
    else:
        src_rows = order[half : half * 2]
    destination = frame.loc[dest_rows, dest_columns].reset_index(drop=True)
    kept = [c for c in dest_columns if c not in dropped] + held_back
    source = frame.loc[src_rows, kept].reset_index(drop=True)

    used: set[str] = set()
    renames: dict[str, str] = {}
    swaps: list[tuple[str, str]] = []
    opaque: set[str] = set()
    if level == "hard":
        count = 1 if len(kept) < 6 else 2
        opaque = {kept[i] for i in rng.choice(len(kept), size=min(count, len(kept)), replace=False)}
    for column in kept:
        new, swap = _rename(column, level, rng, column in opaque, used)
        renames[column] = new
        if swap:
            swaps.append(swap)

    text_share = {"easy": 0.0, "medium": 0.3, "hard": 0.4}[level]
    numeric = [c for c in kept if pd.api.types.is_numeric_dtype(source[c])]
    if level == "hard" and numeric:
        for column in rng.choice(
            numeric, size=min(len(numeric), int(rng.integers(1, 3))), replace=False
        ):
            factor, offset, unit = _UNIT_CHANGES[int(rng.integers(0, len(_UNIT_CHANGES)))]
            source[column] = source[column] * factor + offset
            if column not in opaque:
                base = [t for t in words(renames[column]) if t not in ("lbs", "in", "kg", "cm")]
                new = "_".join([*base, unit])
                renames[column] = new if new not in used else renames[column]
                used.add(renames[column])
    for column in kept:
        values = source[column]
        if pd.api.types.is_numeric_dtype(values) and rng.random() < text_share:
            source[column] = _numbers_as_text(values, rng)
        elif pd.api.types.is_datetime64_any_dtype(values) and level != "easy":
            source[column] = _dates_as_text(values, rng)

    for name, kind in [
        _SYNTHETIC_EXTRAS[i]
        for i in rng.choice(len(_SYNTHETIC_EXTRAS), size=synthetic_n, replace=False)
    ]:
        if name not in used:
            source[name] = _synthetic(kind, len(source), rng).to_numpy()
            used.add(name)
    source = source.rename(columns=renames)
    source = source[list(rng.permutation(list(source.columns)))]
    truth: dict[str, str | None] = {c: renames.get(c) for c in dest_columns}
    return Case(
        case_id=f"{table}/{level}/{variant}",
        table=table,
        level=level,
        held_out=held_out,
        fresh=table in FRESH and not (new_draw or blind_draw or sealed_draw),
        new_draw=new_draw,
        blind_draw=blind_draw,
        sealed_draw=sealed_draw,
        unseen_table=unseen_table,
        final=final,
        ninth=ninth,
        source=source,
        destination=destination,
        truth=truth,
        renames=renames,
        synonym_swaps=swaps,
        source_rows=tuple(int(i) for i in src_rows),
        destination_rows=tuple(int(i) for i in dest_rows),
    )


def _stable_seed(*parts: object) -> int:
    text = "/".join(str(p) for p in parts)
    value = 2166136261
    for ch in text.encode():
        value = ((value ^ ch) * 16777619) % (2**32)
    return value


def build_cases(
    tables: dict[str, pd.DataFrame] | None = None,
    *,
    variants: int = 2,
    new_draws: bool = False,
    blind_draws: bool = False,
    sealed_draws: bool = False,
    unseen_tables: bool = False,
    final: bool = False,
    ninth: bool = False,
) -> list[Case]:
    """Every case: each table at each level, ``variants`` times (different seeds); with
    ``new_draws``, as many new draws of the held-out tables (the third held-out set); with
    ``blind_draws``, as many again (the fourth); with ``sealed_draws``, as many again (the
    fifth). With ``unseen_tables`` and no ``tables`` given, the unseen tables too (the
    sixth); with ``final`` and no ``tables`` given, the final part too (the final tables,
    and as many draws of the unseen tables from :data:`FINAL_DRAW_VARIANT` on); with
    ``ninth`` and no ``tables`` given, the ninth part's tables too (the ninth)."""
    if not 0 < variants <= NEW_DRAW_VARIANT:
        raise ValueError(f"variants must be 1 to {NEW_DRAW_VARIANT}, not {variants}")
    if tables is None:
        names = list(TABLES) + (list(UNSEEN) if unseen_tables or final else [])
        names += list(FINAL) if final else []
        tables = load_tables(names + (list(NINTH) if ninth else []))
    cases = []
    for name, frame in tables.items():
        numbers = list(range(variants))
        if name in UNSEEN and final:
            finals = [FINAL_DRAW_VARIANT + v for v in range(variants)]
            numbers = (numbers if unseen_tables else []) + finals
        if new_draws and (name in HELD_OUT or name in FRESH):
            numbers += [NEW_DRAW_VARIANT + v for v in range(variants)]
        if blind_draws and (name in HELD_OUT or name in FRESH):
            numbers += [BLIND_DRAW_VARIANT + v for v in range(variants)]
        if sealed_draws and (name in HELD_OUT or name in FRESH):
            numbers += [SEALED_DRAW_VARIANT + v for v in range(variants)]
        cases.extend(
            build_case(name, frame, level, variant) for level in LEVELS for variant in numbers
        )
    return cases


def synonym_coverage(cases: list[Case]) -> tuple[int, int]:
    """How many of the generator's synonym swaps the matcher's table folds to one spelling."""
    covered = sum(
        1 for c in cases for old, new in c.synonym_swaps if canonical(old) == canonical(new)
    )
    return covered, sum(len(c.synonym_swaps) for c in cases)
