"""Smoke test of the mapping benchmark: it builds labelled cases and prints a table."""

from __future__ import annotations

from bench import bench_mapping
from bench.mapping_cases import LEVELS, build_cases, load_tables

TABLES = ["vega:cars", "sklearn:wine", "statsmodels:grunfeld"]


def test_cases_are_labelled_and_deterministic():
    tables = load_tables(TABLES)
    cases = build_cases(tables, variants=1)
    assert len(cases) == len(TABLES) * len(LEVELS)
    again = build_cases(tables, variants=1)
    for case, twin in zip(cases, again, strict=True):
        assert case.truth == twin.truth
        assert list(case.source.columns) == list(twin.source.columns)
        # Every labelled source column exists; dropped columns have no counterpart.
        assert {v for v in case.truth.values() if v} <= set(case.source.columns)
        assert list(case.truth) == list(case.destination.columns)
    hard = [c for c in cases if c.level == "hard"]
    assert any(None in c.truth.values() for c in hard)
    assert any(
        any(n.startswith(("col_", "field_", "column_", "var_")) for n in c.source.columns)
        for c in hard
    )
    for case in cases:
        disjoint = set(case.source_rows).isdisjoint(case.destination_rows)
        assert disjoint == (case.level != "easy")


def test_evaluate_produces_a_table_for_every_method_and_level():
    cases = build_cases(load_tables(TABLES), variants=1)
    frame = bench_mapping.evaluate(cases)
    overall = frame[(frame["split"] == "all")]
    assert set(overall["level"]) == {*LEVELS, "overall"}
    assert set(overall["method"]) == set(bench_mapping.METHODS)
    assert (
        frame[["precision", "recall", "F1", "left unmatched"]]
        .apply(lambda s: s.between(0, 1).all())
        .all()
    )
    exact = overall[(overall["method"] == "exact names") & (overall["level"] == "easy")].iloc[0]
    assert exact["F1"] == 1.0  # easy cases only restyle names
    text = bench_mapping._markdown(frame)
    assert text.startswith("| split | level | method |")
    assert text.count("\n") == len(frame) + 1


def test_vendor_pairs_are_labelled_by_meaning_with_traps_and_a_fixed_split():
    from bench.mapping_vendors import DOMAINS, build_vendor_case, held_out_domain

    domain = DOMAINS[0]
    case = build_vendor_case(domain, 0, 1, 0)
    again = build_vendor_case(domain, 0, 1, 0)
    assert case.truth == again.truth
    assert {v for v in case.truth.values() if v} <= set(case.source.columns)
    assert list(case.truth) == list(case.destination.columns)
    assert case.held_out == held_out_domain(domain.name)
    splits = {held_out_domain(d.name) for d in DOMAINS}
    assert splits == {True, False}


def test_every_mode_runs_derive_mapping_and_the_baselines():
    from bench.mapping_vendors import DOMAINS, build_vendor_case

    cases = [
        *build_cases(load_tables(TABLES[:1]), variants=1),
        build_vendor_case(DOMAINS[1], 1, 0, 0),
    ]
    frame = bench_mapping.evaluate_modes(cases)
    assert set(frame["mode"]) == set(bench_mapping.MODES)
    for mode in bench_mapping.MODES:
        methods = set(frame[frame["mode"] == mode]["method"])
        assert {"derive_mapping", "exact names", "fuzzy names + assignment"} <= methods
    vendor = frame[(frame["level"] == "vendor") & (frame["split"] == "all")]
    assert len(vendor) >= 3 * len(bench_mapping.MODES)
    schema = bench_mapping.schema_of(cases[-1].source)
    assert {c["c_type"] for c in schema} <= {"text", "numeric", "date"}
    stats = bench_mapping.stats_of(cases[-1].source)
    assert all(0 <= s["blank_pct"] <= 100 and s["rows"] == len(cases[-1].source) for s in stats)


def test_valentine_runs_only_in_an_interpreter_that_has_it():
    import sys

    from bench.mapping_valentine import run_valentine

    cases = build_cases(load_tables(TABLES[:1]), variants=1)[:1]
    frames = [(cases[0].source, cases[0].destination)]
    pairs, ms, failed = run_valentine(frames, python="")
    assert (pairs, ms) == ({}, {})
    assert failed == {"Valentine": "MAPPING_VALENTINE_PYTHON is not set"}
    # This interpreter has no Valentine: the run fails and says why, for every matcher.
    pairs, ms, failed = run_valentine(frames, ["Valentine COMA (schema)"], python=sys.executable)
    assert pairs == {}
    assert "No module named 'valentine'" in failed["Valentine COMA (schema)"]


def test_precomputed_answers_are_looked_up_by_the_cases_frames_with_their_time():
    cases = build_cases(load_tables(TABLES[:1]), variants=1)
    matcher = bench_mapping.Precomputed()
    for k, case in enumerate(cases):
        matcher.add(case, dict.fromkeys(case.truth, str(k)), 10.0 + k)
    frame = bench_mapping.evaluate(cases, {"elsewhere": matcher})
    rows = frame[(frame["split"] == "all") & (frame["level"].isin(["easy", "hard"]))]
    assert sorted(rows["cpu ms per pair"]) == [10.0, 12.0]
    assert matcher(cases[1].source, cases[1].destination) == dict.fromkeys(cases[1].truth, "1")


def test_new_draws_are_a_third_held_out_set_of_the_held_out_tables_only():
    import pytest

    from bench.mapping_cases import HELD_OUT, NEW_DRAW_VARIANT

    tables = load_tables(TABLES)
    plain = build_cases(tables, variants=1)
    cases = build_cases(tables, variants=1, new_draws=True)
    drawn = [c for c in cases if c.new_draw]
    assert {c.table for c in drawn} == {t for t in TABLES if t in HELD_OUT}
    assert len(drawn) == len(LEVELS)
    assert len(cases) == len(plain) + len(drawn)
    assert {c.split for c in drawn} == {"new draws held-out"}
    assert all(c.held_out and not c.fresh for c in drawn)
    assert all(c.case_id.endswith(f"/{NEW_DRAW_VARIANT}") for c in drawn)
    # Other seeds: other rows, other names than the first draw of the same table and level.
    first = {(c.table, c.level): c for c in plain}
    for case in drawn:
        twin = first[(case.table, case.level)]
        assert case.source_rows != twin.source_rows or case.renames != twin.renames
    # A tuning table's variants never become held out, however many there are.
    tuning = build_cases(load_tables(TABLES[:1]), variants=NEW_DRAW_VARIANT, new_draws=True)
    assert {c.split for c in tuning} == {"tuning"}
    with pytest.raises(ValueError, match="variants"):
        build_cases(tables, variants=NEW_DRAW_VARIANT + 1)


def test_vendor_new_draws_are_the_held_out_domains_third_set():
    import pytest

    from bench.mapping_vendors import FRESH_VARIANT, build_vendor_cases, held_out_domain

    cases = build_vendor_cases(variants=1, new_draws=True)
    splits = {c.split for c in cases}
    assert splits == {"tuning", "held-out", "fresh held-out", "new draws held-out"}
    assert len(build_vendor_cases(variants=1)) == len(cases) - sum(c.new_draw for c in cases)
    by_split: dict[str, set[str]] = {}
    for case in cases:
        by_split.setdefault(case.split, set()).add(case.table)
        assert case.held_out == held_out_domain(case.table.removeprefix("vendor:"))
    assert by_split["new draws held-out"] == by_split["held-out"] == by_split["fresh held-out"]
    assert by_split["tuning"].isdisjoint(by_split["held-out"])
    with pytest.raises(ValueError, match="variants"):
        build_vendor_cases(variants=FRESH_VARIANT + 1)


def test_the_notes_name_only_the_held_out_parts_in_the_run():
    note = bench_mapping._parts_note(["vega:barley"], [], ["vega:ohlc", "vendor:hr"])
    assert note.startswith("Held out (tables chosen before tuning")
    assert "vega:barley; third held-out set" in note
    assert note.endswith("never run while tuning): vega:ohlc, vendor:hr. ")
    assert "second held-out set" not in note
    assert bench_mapping._parts_note([], [], []) == ""


def test_blind_draws_are_a_fourth_held_out_set_apart_from_the_new_draws():
    from bench.mapping_cases import BLIND_DRAW_VARIANT, HELD_OUT, NEW_DRAW_VARIANT
    from bench.mapping_vendors import (
        BLIND_DRAW_VENDOR_VARIANT,
        FRESH_VARIANT,
        NEW_DRAW_VENDOR_VARIANT,
        build_vendor_cases,
    )

    assert BLIND_DRAW_VARIANT >= 2 * NEW_DRAW_VARIANT  # no new draw is ever a blind one
    tables = load_tables(TABLES)
    drawn = build_cases(tables, variants=1, new_draws=True)
    cases = build_cases(tables, variants=1, new_draws=True, blind_draws=True)
    blind = [c for c in cases if c.blind_draw]
    assert {c.table for c in blind} == {t for t in TABLES if t in HELD_OUT}
    assert len(cases) == len(drawn) + len(blind) == len(drawn) + len(LEVELS)
    assert {c.split for c in blind} == {"blind draws held-out"}
    assert all(c.held_out and not c.fresh and not c.new_draw for c in blind)
    assert all(c.case_id.endswith(f"/{BLIND_DRAW_VARIANT}") for c in blind)
    # The most new draws there can be stay in the third set.
    from bench.mapping_cases import build_case

    held = next(t for t in TABLES if t in HELD_OUT)
    last = build_case(held, tables[held], "easy", BLIND_DRAW_VARIANT - 1)
    assert last.split == "new draws held-out"
    # Other seeds than the third set's draw of the same table and level.
    third = {(c.table, c.level): c for c in drawn if c.new_draw}
    for case in blind:
        twin = third[(case.table, case.level)]
        assert case.source_rows != twin.source_rows or case.renames != twin.renames
    # A tuning table never has blind draws.
    tuning = build_cases(load_tables(TABLES[:1]), variants=1, blind_draws=True)
    assert {c.split for c in tuning} == {"tuning"}

    vendor = build_vendor_cases(variants=1, new_draws=True, blind_draws=True)
    by_split: dict[str, set[str]] = {}
    for case in vendor:
        by_split.setdefault(case.split, set()).add(case.table)
    assert by_split["blind draws held-out"] == by_split["new draws held-out"]
    assert by_split["tuning"].isdisjoint(by_split["blind draws held-out"])
    # The last new draw a run can ask for is still in the third set.
    assert FRESH_VARIANT <= BLIND_DRAW_VENDOR_VARIANT - NEW_DRAW_VENDOR_VARIANT
    assert len(build_vendor_cases(variants=1, new_draws=True)) == len(vendor) - sum(
        c.blind_draw for c in vendor
    )


def test_the_notes_name_the_fourth_held_out_part_when_the_run_holds_it():
    note = bench_mapping._parts_note([], [], [], ["vendor:hr"])
    assert note.startswith("fourth held-out set, further draws")
    assert note.endswith("run once on the final matcher): vendor:hr. ")


def test_sealed_draws_are_a_fifth_held_out_set_apart_from_every_other():
    from bench.mapping_cases import (
        BLIND_DRAW_VARIANT,
        HELD_OUT,
        NEW_DRAW_VARIANT,
        SEALED_DRAW_VARIANT,
        build_case,
    )
    from bench.mapping_vendors import (
        BLIND_DRAW_VENDOR_VARIANT,
        FRESH_VARIANT,
        SEALED_DRAW_VENDOR_VARIANT,
        build_vendor_cases,
    )

    # No blind draw a run can ask for is ever a sealed one.
    assert SEALED_DRAW_VARIANT >= BLIND_DRAW_VARIANT + NEW_DRAW_VARIANT
    assert SEALED_DRAW_VENDOR_VARIANT >= BLIND_DRAW_VENDOR_VARIANT + FRESH_VARIANT
    tables = load_tables(TABLES)
    before = build_cases(tables, variants=1, new_draws=True, blind_draws=True)
    cases = build_cases(tables, variants=1, new_draws=True, blind_draws=True, sealed_draws=True)
    sealed = [c for c in cases if c.sealed_draw]
    assert {c.table for c in sealed} == {t for t in TABLES if t in HELD_OUT}
    assert len(cases) == len(before) + len(sealed) == len(before) + len(LEVELS)
    assert {c.split for c in sealed} == {"sealed draws held-out"}
    assert all(c.held_out and not (c.fresh or c.new_draw or c.blind_draw) for c in sealed)
    assert all(c.case_id.endswith(f"/{SEALED_DRAW_VARIANT}") for c in sealed)
    held = next(t for t in TABLES if t in HELD_OUT)
    last = build_case(held, tables[held], "hard", SEALED_DRAW_VARIANT - 1)
    assert last.split == "blind draws held-out"
    # Other seeds than every earlier draw of the same table and level.
    for case in sealed:
        for twin in (c for c in before if (c.table, c.level) == (case.table, case.level)):
            assert case.source_rows != twin.source_rows or case.renames != twin.renames
    # A tuning table never has sealed draws.
    tuning = build_cases(load_tables(TABLES[:1]), variants=1, sealed_draws=True)
    assert {c.split for c in tuning} == {"tuning"}

    vendor = build_vendor_cases(variants=1, new_draws=True, blind_draws=True, sealed_draws=True)
    by_split: dict[str, set[str]] = {}
    for case in vendor:
        by_split.setdefault(case.split, set()).add(case.table)
    assert by_split["sealed draws held-out"] == by_split["blind draws held-out"]
    assert by_split["tuning"].isdisjoint(by_split["sealed draws held-out"])
    assert len(build_vendor_cases(variants=1, new_draws=True, blind_draws=True)) == len(
        vendor
    ) - sum(c.sealed_draw for c in vendor)
    assert not any(c.blind_draw and c.sealed_draw for c in vendor)


def test_the_notes_name_the_fifth_held_out_part_only_when_the_run_holds_it():
    note = bench_mapping._parts_note([], [], [], [], ["vendor:hr"])
    assert note.startswith("fifth held-out set, sealed draws")
    assert note.endswith("run once on the final matcher): vendor:hr. ")
    assert "fifth" not in bench_mapping._parts_note([], [], [], ["vendor:hr"])


def test_unseen_tables_are_a_sixth_held_out_set_chosen_by_its_rule_and_apart_from_every_other():
    from bench.mapping_cases import (
        FRESH,
        HELD_OUT,
        UNSEEN,
        UNSEEN_MAX_TABLES,
        UNSEEN_MIN_COLUMNS,
        unseen_candidates,
    )
    from bench.mapping_cases import TABLES as ALL_TABLES

    # The set is what its rule gives, on names and column counts alone.
    assert list(UNSEEN) == unseen_candidates()
    assert len(UNSEEN) == UNSEEN_MAX_TABLES
    assert list(UNSEEN) == sorted(UNSEEN)
    assert set(UNSEEN).isdisjoint(ALL_TABLES)
    assert set(UNSEEN).isdisjoint(HELD_OUT | FRESH)
    tables = load_tables(list(UNSEEN))
    assert all(frame.shape[1] >= UNSEEN_MIN_COLUMNS for frame in tables.values())
    # No other part's content under another name.
    others = load_tables()
    for key, frame in tables.items():
        for other_key, other in others.items():
            assert list(frame.columns) != list(other.columns), (key, other_key)

    # Built only when asked for.
    assert not any(c.unseen_table for c in build_cases(variants=1, sealed_draws=True))
    cases = build_cases(variants=1, new_draws=True, blind_draws=True, unseen_tables=True)
    unseen = [c for c in cases if c.unseen_table]
    assert {c.table for c in unseen} == set(UNSEEN)
    assert len(unseen) == len(UNSEEN) * len(LEVELS)
    assert {c.split for c in unseen} == {"unseen tables held-out"}
    assert all(
        c.held_out and not (c.fresh or c.new_draw or c.blind_draw or c.sealed_draw) for c in unseen
    )
    assert {c.split for c in cases if c.table not in UNSEEN}.isdisjoint({"unseen tables held-out"})
    # The same generator and levels as the other table parts.
    assert {c.level for c in unseen} == set(LEVELS)
    assert all(set(c.truth) == set(c.destination.columns) for c in unseen)
    assert any(v is None for c in unseen for v in c.truth.values())


def test_the_notes_name_the_sixth_held_out_part_only_when_the_run_holds_it():
    note = bench_mapping._parts_note([], [], [], [], [], ["statsmodels:longley"])
    assert note.startswith("sixth held-out set, unseen tables")
    assert note.endswith("run once on the final matcher): statsmodels:longley. ")
    assert "sixth" not in bench_mapping._parts_note([], [], [], [], ["vendor:hr"])


def test_the_final_part_is_an_eighth_held_out_set_built_by_its_rule_and_apart_from_every_other():
    from bench.mapping_cases import (
        FINAL,
        FINAL_DRAW_VARIANT,
        FRESH,
        HELD_OUT,
        NEW_DRAW_VARIANT,
        SEALED_DRAW_VARIANT,
        UNSEEN,
        UNSEEN_MIN_COLUMNS,
        final_candidates,
    )
    from bench.mapping_cases import TABLES as ALL_TABLES

    # The tables are what the unseen tables' rule gives after its first eight.
    assert list(FINAL) == final_candidates()
    assert FINAL
    assert set(FINAL).isdisjoint(set(ALL_TABLES) | set(UNSEEN) | HELD_OUT | FRESH)
    tables = load_tables(list(FINAL))
    assert all(frame.shape[1] >= UNSEEN_MIN_COLUMNS for frame in tables.values())
    others = load_tables(list(ALL_TABLES) + list(UNSEEN))
    for key, frame in tables.items():
        for other_key, other in others.items():
            assert list(frame.columns) != list(other.columns), (key, other_key)
    # Its draws are above every other part's.
    assert FINAL_DRAW_VARIANT >= SEALED_DRAW_VARIANT + NEW_DRAW_VARIANT

    # Built only when asked for.
    everything_else = build_cases(
        variants=2, new_draws=True, blind_draws=True, sealed_draws=True, unseen_tables=True
    )
    assert not any(c.final for c in everything_else)
    cases = build_cases(variants=2, new_draws=True, blind_draws=True, final=True)
    final = [c for c in cases if c.final]
    assert {c.split for c in final} == {"final held-out"}
    assert {c.table for c in final} == set(FINAL) | set(UNSEEN)
    assert len(final) == (len(FINAL) + len(UNSEEN)) * len(LEVELS) * 2 >= 40
    assert all(c.held_out and not c.unseen_table for c in final)
    assert not any(c.unseen_table for c in cases)
    # Disjoint from every other part: no case of it is a case of another.
    assert {c.case_id for c in final}.isdisjoint(c.case_id for c in everything_else)
    assert {c.split for c in everything_else}.isdisjoint({"final held-out"})
    # Asked for with the unseen tables, both parts are there, apart.
    both = build_cases(variants=1, unseen_tables=True, final=True)
    assert {c.split for c in both if c.table in UNSEEN} == {
        "unseen tables held-out",
        "final held-out",
    }
    assert {c.level for c in final} == set(LEVELS)
    assert all(set(c.truth) == set(c.destination.columns) for c in final)


def test_the_notes_name_the_final_part_only_when_the_run_holds_it():
    note = bench_mapping._parts_note([], [], [], [], [], [], ["vega:burtin"])
    assert note.startswith("eighth part, final held-out")
    assert note.endswith("run once on the final matcher): vega:burtin. ")
    assert "eighth" not in bench_mapping._parts_note([], [], [], [], [], ["statsmodels:longley"])


def test_the_ninth_part_is_built_by_its_rule_from_other_packages_and_apart_from_every_other():
    from bench.mapping_cases import (
        FINAL,
        FRESH,
        HELD_OUT,
        NINTH,
        NINTH_MIN_ROWS,
        UNSEEN,
        UNSEEN_MIN_COLUMNS,
        ninth_candidates,
    )
    from bench.mapping_cases import TABLES as ALL_TABLES

    # The tables are what its rule gives, on names, column and row counts alone.
    assert list(NINTH) == ninth_candidates()
    assert list(NINTH) == sorted(NINTH)
    assert len(NINTH) >= 5
    assert set(NINTH).isdisjoint(set(ALL_TABLES) | set(UNSEEN) | set(FINAL) | HELD_OUT | FRESH)
    tables = load_tables(list(NINTH))
    assert all(frame.shape[1] >= UNSEEN_MIN_COLUMNS for frame in tables.values())
    assert all(len(frame) >= NINTH_MIN_ROWS for frame in tables.values())
    # No other part's content under another name (plotly's iris is vega's: left out).
    others = load_tables(list(ALL_TABLES) + list(UNSEEN) + list(FINAL))
    for key, frame in tables.items():
        for other_key, other in others.items():
            assert list(frame.columns) != list(other.columns), (key, other_key)

    # Built only when asked for.
    everything_else = build_cases(
        variants=2,
        new_draws=True,
        blind_draws=True,
        sealed_draws=True,
        unseen_tables=True,
        final=True,
    )
    assert not any(c.ninth for c in everything_else)
    assert {c.split for c in everything_else}.isdisjoint({"ninth held-out"})
    cases = build_cases(variants=2, ninth=True)
    ninth = [c for c in cases if c.ninth]
    assert {c.split for c in ninth} == {"ninth held-out"}
    assert {c.table for c in ninth} == set(NINTH)
    assert len(ninth) == len(NINTH) * len(LEVELS) * 2
    assert all(c.held_out and not (c.final or c.unseen_table) for c in ninth)
    assert {c.case_id for c in ninth}.isdisjoint(c.case_id for c in everything_else)
    # The same generator and levels as the other table parts.
    assert {c.level for c in ninth} == set(LEVELS)
    assert all(set(c.truth) == set(c.destination.columns) for c in ninth)
    assert any(v is None for c in ninth for v in c.truth.values())


def test_the_notes_name_the_ninth_part_only_when_the_run_holds_it():
    note = bench_mapping._parts_note([], [], [], [], [], [], [], ["plotly:tips"])
    assert note.startswith("ninth part, ninth held-out")
    assert note.endswith("run once on the final matcher): plotly:tips. ")
    assert "ninth" not in bench_mapping._parts_note([], [], [], [], [], [], ["vega:burtin"])
