"""Evidence that a source column fills a destination column: name, type and data.

:func:`score_matrix` compares every destination column with every source column and
returns one :class:`Evidence` per pair; each has a ``score`` in ``[0, 1]`` and says in
words what it rests on. Pure functions: nothing here reads or changes anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammoth_pandas.mapping.evidence import ColumnStats
from mammoth_pandas.mapping.infer import Profile
from mammoth_pandas.mapping.normalize import (
    contained,
    is_opaque,
    kind_conflict,
    name_similarity,
    normalize_name,
    numbering_only,
    side_cores,
)
from mammoth_pandas.mapping.normalize import words as name_words
from mammoth_pandas.mapping.sides import Column
from mammoth_pandas.mapping.vocabulary import UNITS

__all__ = [
    "Evidence",
    "Weights",
    "data_similarity",
    "score_matrix",
    "score_pair",
    "side_names",
    "type_fit",
]

#: Numeric columns with fewer distinct values than this are weaker evidence by their values.
FEW_LEVELS = 12
#: Format classes that identify what a column holds when both sides share them.
#: A name match between names of different kinds (an id and a name) counts this much.
KIND_CONFLICT = 0.3
_TELLING_FORMATS = frozenset({"email", "url", "uuid", "phone", "date", "code"})


@dataclass(frozen=True)
class Weights:
    """How the kinds of evidence combine (see :func:`combine`)."""

    name: float = 0.6
    data_alone: float = 0.8
    data_despite_name: float = 0.72
    schema_only: float = 0.88
    stats_alone: float = 0.5


@dataclass(frozen=True)
class Evidence:
    """Why a source column may fill a destination column.

    ``name`` and ``data`` are ``None`` when that evidence is missing (an opaque name such as
    ``col_7``, no rows); ``type_fit`` is 0 when the destination cannot take the source's type.
    """

    score: float
    name: float | None
    name_how: str
    type_fit: float
    type_how: str
    data: float | None
    data_how: str
    #: Both columns hold yes/no flags (their data score is capped at ``FLAG_DATA``).
    flags: bool = False
    #: The values were compared as numbers among few distinct values (codes such as 1..4,
    #: which many columns share by chance).
    few_levels: bool = False
    #: Why the pair is not proposed whatever its evidence (its ``score`` is then 0), or "".
    held: str = ""

    def explain(self) -> str:
        """In words, which evidence decided this pair, then the rest (:meth:`words`)."""
        name, data = self.name, self.data
        if name is not None and name >= 0.999:
            lead = "the same name"
        elif name is not None and data is not None:
            if name >= data:
                lead = f"the names ({self.name_how}), the values agreeing"
            else:
                lead = f"the values ({self.data_how}), the names agreeing"
            if min(name, data) < 0.35:
                lead = (
                    f"the names ({self.name_how}) despite the values"
                    if name >= data
                    else f"the values ({self.data_how}) despite the names"
                )
        elif name is not None:
            lead = f"the names ({self.name_how})"
        elif data is not None:
            lead = f"the values alone ({self.data_how}): {self.name_how}"
        else:
            lead = "nothing but the type"
        return f"decided by {lead}; {self.words()}"

    def words(self) -> str:
        """Every kind of evidence with its score, in words."""
        parts = []
        if self.name is not None:
            parts.append(f"name {self.name:.2f} ({self.name_how})")
        else:
            parts.append(f"name not used ({self.name_how})")
        parts.append(f"type {self.type_how}")
        if self.data is not None:
            parts.append(f"data {self.data:.2f} ({self.data_how})")
        elif self.data_how.startswith("statistics"):
            parts.append(self.data_how)
        if self.held:
            parts.append(f"not proposed: {self.held}")
        return "; ".join(parts)


def type_fit(dest: Column, source: Column) -> tuple[float, str]:
    """How well the destination's type takes the source's values: ``(0..1, words)``.

    Text takes anything; numbers and dates take text that parses (the share that does,
    when the values are known); a number never becomes a date nor a date a number.
    """
    d, s = dest.c_type, source.c_type
    prof = source.profile
    if d == s:
        return 1.0, f"{s}→{d}"
    dest_prof = dest.profile
    if (
        prof is not None
        and dest_prof is not None
        and prof.flag_share is not None
        and dest_prof.flag_share is not None
    ):
        return 0.9, f"{s}→{d} (yes/no flags written another way: convert them)"
    if d == "text":
        return 0.85, f"{s}→text (converted to text)"
    if s == "text":
        fail = None
        if prof is not None and not prof.empty:
            fail = prof.number_fail if d == "numeric" else prof.date_fail
        if fail is None:
            return 0.75, f"text→{d} (values unchecked)"
        if fail <= 0.0:
            return 1.0, f"text→{d} (every value parses)"
        kind = "numbers" if d == "numeric" else "dates"
        return max(0.0, 1.0 - fail), f"text→{d} ({fail:.0%} of values do not parse as {kind})"
    return 0.0, f"{s}→{d} is not possible"


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic on quantile sketches."""
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / a.size
    cdf_b = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _scale_consistency(a: Profile, b: Profile) -> float:
    """Whether b looks like a rescaled a: the spreads and the medians change by one factor.

    1.0 when they do; near 0 when only the location moved (another quantity, not a unit).
    """
    ma, mb, sa, sb = a.median, b.median, a.spread, b.spread
    if sa <= 0 or sb <= 0 or ma == 0 or mb == 0 or (ma > 0) != (mb > 0):
        return 0.5
    k_location, k_spread = abs(mb / ma), sb / sa
    return min(k_location, k_spread) / max(k_location, k_spread)


#: Common unit conversions: (factor, offset, words); a source written in the other unit
#: holds ``factor * x + offset`` for the destination's ``x``.
_UNITS: tuple[tuple[float, float, str], ...] = (
    (2.54, 0.0, "inches to centimetres"),
    (0.45359237, 0.0, "pounds to kilograms"),
    (1.609344, 0.0, "miles to kilometres"),
    (0.3048, 0.0, "feet to metres"),
    (3.785411784, 0.0, "gallons to litres"),
    (1.8, 32.0, "Celsius to Fahrenheit"),
    (100.0, 0.0, "shares to percent"),
    (1000.0, 0.0, "thousands to units"),
    (60.0, 0.0, "hours to minutes"),
)
#: Both directions of each conversion.
UNIT_CONVERSIONS: tuple[tuple[float, float, str], ...] = tuple(
    conversion
    for factor, offset, words in _UNITS
    for conversion in (
        (factor, offset, words),
        (1.0 / factor, -offset / factor, " to ".join(reversed(words.split(" to ")))),
    )
)
#: A conversion is tried when the spreads' ratio is within this share of its factor.
UNIT_TOLERANCE = 0.15
#: The words that name each conversion's units (the first word of its ``words``).
UNIT_WORDS: dict[str, frozenset[str]] = {
    "inches": frozenset({"in", "inch", "inches", "cm", "centimetre", "centimeter"}),
    "pounds": frozenset({"lb", "lbs", "pound", "pounds", "kg", "kilogram", "kilograms"}),
    "miles": frozenset({"mi", "mile", "miles", "km", "kilometre", "kilometer", "kilometres"}),
    "feet": frozenset({"ft", "foot", "feet", "m", "metre", "meter", "metres", "meters"}),
    "gallons": frozenset({"gal", "gallon", "gallons", "l", "litre", "liter", "litres"}),
    "celsius": frozenset({"c", "celsius", "f", "fahrenheit"}),
    "shares": frozenset({"pct", "percent", "share"}),
    "thousands": frozenset({"thousands", "thousand", "k"}),
    "hours": frozenset({"h", "hr", "hrs", "hours", "minutes", "mins"}),
}
#: A conversion whose unit one name says and the other does not (``weight`` and
#: ``weight_kg``) is tried when the spreads' ratio is within this share of its factor: few
#: rows, or two samples of skewed values, spread apart by more than the unit does.
UNIT_NAMED_TOLERANCE = 0.35
#: Values alike once converted count this much of values alike as they are.
UNIT_DISCOUNT = 0.9
#: Columns with at least this share of whole numbers on both sides are not converted.
UNIT_WHOLE = 0.99


def _converted_similarity(
    a: Profile, b: Profile, named: frozenset[str] = frozenset()
) -> tuple[float, str] | None:
    """How alike a's values are to b's converted back by a common unit: ``(alike, words)``.

    None when no conversion fits the spreads' ratio (by :data:`UNIT_NAMED_TOLERANCE` for the
    conversions of the units in ``named``, words that one name says and the other does not).
    Two columns of whole numbers are not compared so: counts and ids have spreads in every
    ratio, a unit among them is as often chance.
    """
    if a.spread <= 0 or b.spread <= 0:
        return None
    if min(a.integer_share, b.integer_share) >= UNIT_WHOLE:
        return None
    ratio = b.spread / a.spread
    best: tuple[float, str] | None = None
    for factor, offset, words in UNIT_CONVERSIONS:
        said = bool(named & UNIT_WORDS.get(words.split()[0].lower(), frozenset()))
        said = said or bool(named & UNIT_WORDS.get(words.split()[-1].lower(), frozenset()))
        tolerance = UNIT_NAMED_TOLERANCE if said else UNIT_TOLERANCE
        if abs(ratio / factor - 1.0) > tolerance:
            continue
        alike = 1.0 - _ks(a.sketch, (b.sketch - offset) / factor)
        if best is None or alike > best[0]:
            best = (alike, words)
    return best


def _numeric_similarity(
    a: Profile, b: Profile, named: frozenset[str] = frozenset()
) -> tuple[float, str]:
    raw = 1.0 - _ks(a.sketch, b.sketch)
    numeric = a.kind == "numeric" and raw < 0.9
    converted = _converted_similarity(a, b, named) if numeric else None
    sa, sb = a.standardised, b.standardised
    if sa is None or sb is None:
        shape = 1.0 if sa is None and sb is None else 0.0
    else:
        shape = (1.0 - _ks(sa, sb)) * (0.6 + 0.4 * _scale_consistency(a, b))
    if a.kind == "date":
        shape *= 0.8
    # A handful of codes (1..4, 0/1) match many columns by chance: such evidence counts less.
    levels = min(len(a.distinct), len(b.distinct)) if a.kind == "numeric" else FEW_LEVELS
    weight = 1.0 if levels >= FEW_LEVELS else 0.8 + 0.2 * max(levels - 2, 0) / (FEW_LEVELS - 2)
    few = " among few distinct values" if weight < 1.0 else ""
    if converted is not None and UNIT_DISCOUNT * converted[0] > max(raw, 0.75 * shape):
        alike, words = converted
        return (
            weight * UNIT_DISCOUNT * alike,
            f"values alike once converted, {words} ({alike:.0%}){few}",
        )
    if raw >= 0.75 * shape:
        kind = "dates" if a.kind == "date" else "values"
        return weight * raw, f"{kind} distributed alike ({raw:.0%}){few}"
    return (
        weight * 0.75 * shape,
        f"same shape on another scale ({shape:.0%}), e.g. other units{few}",
    )


def _format_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    keys = set(a) | set(b)
    return 1.0 - 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


def _text_similarity(a: Profile, b: Profile) -> tuple[float, str]:
    common = len(a.distinct & b.distinct)
    overlap = common / max(1, min(len(a.distinct), len(b.distinct)))
    formats = _format_similarity(a.formats, b.formats)
    lengths = 1.0 - abs(a.mean_length - b.mean_length) / max(a.mean_length, b.mean_length, 1.0)
    cardinality = 1.0 - abs(a.distinct_ratio - b.distinct_ratio)
    structure = formats * (0.5 + 0.5 * lengths) * (0.5 + 0.5 * cardinality)
    main = max(a.formats, key=a.formats.__getitem__) if a.formats else ""
    telling = main in _TELLING_FORMATS and formats >= 0.8
    structural = (0.85 if telling else 0.6) * structure
    shared_words = 0.0
    if a.vocabulary and b.vocabulary and formats >= 0.8:
        common_words = len(a.vocabulary & b.vocabulary)
        smaller = min(len(a.vocabulary), len(b.vocabulary))
        shared_words = 0.85 * formats * common_words / smaller if smaller >= 5 else 0.0
    if overlap >= structural and overlap >= shared_words:
        return overlap, f"{overlap:.0%} of distinct values shared"
    if shared_words >= structural:
        return shared_words, f"values share their words ({shared_words:.0%})"
    label = f"both mostly {main}" if telling else "similar text formats and lengths"
    return structural, f"{label} ({structure:.0%})"


#: Two columns of yes/no flags with the same share of yes score this much: two values are
#: weak evidence on their own (any two flag columns look alike), strong beside a name.
FLAG_DATA = 0.7


def _flag_similarity(a: float, b: float) -> tuple[float, str]:
    score = FLAG_DATA * (1.0 - abs(a - b))
    return score, f"both yes/no flags ({a:.0%} and {b:.0%} yes)"


def data_similarity(
    a: Profile | None, b: Profile | None, named: frozenset[str] = frozenset()
) -> tuple[float | None, str]:
    """Compare two columns' values: ``(None, why)`` when either side has no values.

    Flags compare as flags however each side writes them (``true``/``false``, ``Y``/``N``,
    ``1``/``0``): by their share of yes. ``named`` are the unit words one name says and
    the other does not (see :func:`_converted_similarity`).
    """
    if a is None or b is None:
        return None, "no rows on one side"
    if a.empty or b.empty:
        return None, "no values on one side"
    if a.flag_share is not None and b.flag_share is not None:
        return _flag_similarity(a.flag_share, b.flag_share)
    if a.kind != b.kind:
        return 0.0, f"{b.kind} values against {a.kind} values"
    if a.kind in ("numeric", "date"):
        return _numeric_similarity(a, b, named)
    return _text_similarity(a, b)


def stats_similarity(a: ColumnStats | None, b: ColumnStats | None) -> tuple[float | None, str]:
    """Compare two columns' stored statistics: how unique and how blank their values are.

    ``(None, why)`` when either side has none. A column of unique values (an id, an
    email) against one of few repeated values (a status) scores low.
    """
    if a is None or b is None:
        return None, "no statistics on one side"
    ra, rb = a.distinct_ratio, b.distinct_ratio
    parts: list[float] = []
    words: list[str] = []
    if ra is not None and rb is not None:
        unique_a, unique_b = ra >= 0.9, rb >= 0.9
        if unique_a != unique_b:
            parts.append(0.0)
            words.append("one column's values are unique, the other's repeat")
        else:
            parts.append(1.0 - abs(ra - rb))
            words.append(f"distinct share {ra:.0%} and {rb:.0%}")
        if a.distinct is not None and b.distinct is not None and min(a.distinct, b.distinct) > 0:
            small, large = sorted((a.distinct, b.distinct))
            if large <= 30:  # codes: a handful of levels either side should be alike
                parts.append(small / large)
    if a.blank_share is not None and b.blank_share is not None:
        parts.append(1.0 - abs(a.blank_share - b.blank_share))
        words.append(f"blank {a.blank_share:.0%} and {b.blank_share:.0%}")
    if not parts:
        return None, "statistics too sparse"
    return round(float(np.mean(parts)) if min(parts) > 0 else 0.0, 4), "; ".join(words)


def combine(name: float | None, data: float | None, fit: float, weights: Weights) -> float:
    """One score from the evidence.

    Name and data are averaged (``weights.name`` on the name), or data counts alone when
    that is higher: at ``weights.data_alone`` when a name is opaque (``col_7``), at
    ``weights.data_despite_name`` when the names share nothing (a name that differs is weak
    evidence against). A name alone (no rows) counts at ``weights.schema_only``, less on
    uncertain types, so that a partial name match is not enough on its own; type
    fit scales the result and a type that cannot be taken scores 0.
    """
    if fit <= 0.0:
        return 0.0
    if name is None and data is None:
        score = 0.0
    elif data is None:
        assert name is not None
        score = weights.schema_only * name * (0.75 + 0.25 * fit)
        return round(score, 4)
    elif name is None:
        score = weights.data_alone * data
    else:
        score = max(
            weights.name * name + (1 - weights.name) * data, weights.data_despite_name * data
        )
    return round(score * (0.5 + 0.5 * fit), 4)


def _named_units(a: str, b: str) -> frozenset[str]:
    """The unit words one name says and the other does not (``weight_kg`` and ``weight``)."""
    wa, wb = frozenset(name_words(a)), frozenset(name_words(b))
    return (wa ^ wb) & UNITS


def score_pair(
    dest: Column,
    source: Column,
    weights: Weights | None = None,
    names: tuple[str, str] | None = None,
    fits: int = 1,
) -> Evidence:
    """All the evidence for one destination/source pair.

    ``names`` are the names to compare (destination, source) when they differ from the
    columns' own: their side's shared affixes removed (:func:`side_names`). ``fits`` is how
    many columns this pair's names fit about as well on either side (:func:`name_fits`): a
    short abbreviation that fits several (``rea`` for ``realgdp``, ``realcons``…) tells
    less which one it is.
    """
    weights = weights or Weights()
    dest_name, source_name = names or (dest.c_name, source.c_name)
    if normalize_name(dest.c_name) == normalize_name(source.c_name):
        name: float | None = 1.0
        name_how = "same name"
    elif is_opaque(dest_name) or is_opaque(source_name):
        name = None
        name_how = "opaque name"
    else:
        match = name_similarity(dest_name, source_name)
        name, name_how = match.score, match.how
        if (dest_name, source_name) != (dest.c_name, source.c_name):
            name_how += " once the side's shared affix is set aside"
        conflict = kind_conflict(dest_name, source_name, dest.c_type, source.c_type)
        if conflict and name > 0:
            name, name_how = round(name * KIND_CONFLICT, 4), f"{name_how}, but {conflict}"
        elif fits > 1 and name > 0:
            name = round(name * max(SHARED_FLOOR, 1.0 - SHARED_STEP * (fits - 1)), 4)
            name_how = f"{name_how}, a name that fits {fits} columns about as well"
    fit, type_how = type_fit(dest, source)
    data, data_how = data_similarity(
        dest.profile, source.profile, _named_units(dest.c_name, source.c_name)
    )
    score = combine(name, data, fit, weights)
    if data is None:
        stats, stats_how = stats_similarity(dest.stats, source.stats)
        if stats is not None:
            if name is None:
                score = round(weights.stats_alone * stats * fit, 4)
            else:
                score = round(min(1.0, score * (0.8 + 0.25 * stats)), 4)
            data_how = f"statistics {stats:.2f} ({stats_how})"
    flags = (
        dest.profile is not None
        and source.profile is not None
        and dest.profile.flag_share is not None
        and source.profile.flag_share is not None
    )
    held = ""
    if score > 0 and name == 0.0 and numbering_only(dest_name, source_name):
        # "1990" against "2001", "s3" against "s5": another column of the same series.
        score = 0.0
        held = "the names differ only in their numbering: another column of the same series"
    if (
        score > 0
        and name
        and not flags
        and data is not None
        and data < CONTAINED_DATA
        and contained(dest_name, source_name, dest.c_type, source.c_type)
    ):
        # "amount" against "amount_tax": as often another column about the same thing.
        score = 0.0
        held = (
            f"one name is the other with more words, and values alike by {CONTAINED_DATA:.0%}"
            " or more are needed"
        )
    return Evidence(
        score,
        name,
        name_how,
        fit,
        type_how,
        data,
        data_how,
        flags,
        _few_levels(dest, source),
        held,
    )


#: A pair whose one name is the other with more words (:func:`.normalize.contained`) needs
#: values at least this alike (yes/no flags aside: their values are weak evidence anyway).
CONTAINED_DATA = 0.7


def _few_levels(dest: Column, source: Column) -> bool:
    a, b = dest.profile, source.profile
    if a is None or b is None or a.kind != "numeric" or b.kind != "numeric":
        return False
    return min(len(a.distinct), len(b.distinct)) < FEW_LEVELS


#: A name that fits several columns about as well (``fits``) loses this much of its name
#: score per other column it fits, down to this share of it.
SHARED_STEP = 0.08
SHARED_FLOOR = 0.7
#: Name scores at least this high, and within ``SHARED_WITHIN`` of the pair's, count as
#: fitting about as well.
SHARED_MIN = 0.7
SHARED_WITHIN = 0.05


def name_fits(dest_names: list[str], src_names: list[str]) -> np.ndarray:
    """For each pair, how many columns its names fit about as well (1 when only each other).

    Counted on both sides: the other destination columns the source name fits within
    ``SHARED_WITHIN`` of this pair's name score, and the other source columns the
    destination name fits so; names that are the same or opaque are left out.
    """
    scores = np.zeros((len(dest_names), len(src_names)), dtype="float64")
    for i, dn in enumerate(dest_names):
        if is_opaque(dn):
            continue
        for j, sn in enumerate(src_names):
            if is_opaque(sn) or normalize_name(dn) == normalize_name(sn):
                continue
            scores[i, j] = name_similarity(dn, sn).score
    fits = np.ones(scores.shape, dtype="int64")
    for i, j in zip(*np.nonzero(scores >= SHARED_MIN), strict=True):
        near = scores[i, j] - SHARED_WITHIN
        fits[i, j] = max(int((scores[:, j] >= near).sum()), int((scores[i, :] >= near).sum()))
    return fits


def score_matrix(
    destination: tuple[Column, ...], source: tuple[Column, ...], weights: Weights | None = None
) -> list[list[Evidence]]:
    """Evidence for every pair: ``result[i][j]`` compares destination ``i`` with source ``j``."""
    weights = weights or Weights()
    dest_names, src_names = side_names(destination), side_names(source)
    fits = name_fits(dest_names, src_names)
    return [
        [
            score_pair(d, s, weights, (dn, sn), int(fits[i, j]))
            for j, (s, sn) in enumerate(zip(source, src_names, strict=True))
        ]
        for i, (d, dn) in enumerate(zip(destination, dest_names, strict=True))
    ]


def side_names(columns: tuple[Column, ...]) -> list[str]:
    """The columns' names with the affixes most of them share set aside."""
    return side_cores([c.c_name for c in columns])
