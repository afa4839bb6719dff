"""The demo data: reproducible, at the knowledge base's rates, with the signals it says it
planted."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.surveillance.stats import wilson
from needlesafe.surveillance.synthetic import DemoData, generate


def test_the_same_seed_makes_the_same_data(knowledge: Knowledge) -> None:
    first = generate(knowledge, treatments=3000, seed=11)
    again = generate(knowledge, treatments=3000, seed=11)
    other = generate(knowledge, treatments=3000, seed=12)
    for name, table in first.tables.items():
        assert table.equals(again.tables[name]), name
    assert not first.tables["treatments"].equals(other.tables["treatments"])
    assert first.planted == again.planted


def test_no_signal_is_planted_with_plant_none(knowledge: Knowledge) -> None:
    data = generate(knowledge, treatments=2000, seed=3, plant=())
    assert data.planted == []


def test_an_unknown_signal_kind_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(ValueError, match="unknown signal kind"):
        generate(knowledge, treatments=10, seed=1, plant=("batch",))


def test_every_table_keeps_to_the_registry_columns(planted_data: DemoData) -> None:
    t = planted_data.tables["treatments"]
    assert t.num_rows == 60_000
    assert set(pc.unique(t.column("fitzpatrick")).to_pylist()) == {
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
    }
    assert set(pc.unique(t.column("depth_band")).to_pylist()) == {"superficial", "medium", "deep"}
    ids = set(t.column("treatment_id").to_pylist())
    for name in ("treatment_areas", "treatment_products", "adverse_events", "checkins"):
        assert set(planted_data.tables[name].column("treatment_id").to_pylist()) <= ids, name
    # one to three areas per treatment, each within its cap in the knowledge base
    per_treatment = (
        planted_data.tables["treatment_areas"]
        .group_by("treatment_id")
        .aggregate([("area", "count")])
    )
    counts = per_treatment.column("area_count").to_pylist()
    assert min(counts) >= 1 and max(counts) <= 3


def test_dogra_rates_are_what_darker_skin_at_1_5_mm_gets(
    planted_data: DemoData, knowledge: Knowledge
) -> None:
    """Fitzpatrick IV-V at 1.5 mm or more: hyperpigmentation 5 of 36, scarring 2 of 36
    (surveillance.yaml, Dogra 2014); the drawn rates' intervals hold those."""
    t = planted_data.tables["treatments"]
    events = planted_data.tables["adverse_events"]
    planted_practitioner = next(p for p in planted_data.planted if p["kind"] == "practitioner")
    chosen = pc.and_(
        pc.and_(
            pc.is_in(t.column("fitzpatrick"), value_set=pa.array(["IV", "V"])),
            pc.greater_equal(t.column("depth_mm"), 1.5),
        ),
        pc.not_equal(t.column("practitioner_id"), planted_practitioner["practitioner_id"]),
    )
    ids = set(t.filter(chosen).column("treatment_id").to_pylist())
    for complication, expected in (("hyperpigmentation", 139), ("scarring", 56)):
        hit = {
            tid
            for tid, code in zip(
                events.column("treatment_id").to_pylist(),
                events.column("complication").to_pylist(),
                strict=True,
            )
            if code == complication and tid in ids
        }
        interval = wilson(len(hit), len(ids))
        assert 1000 * interval.low <= expected <= 1000 * interval.high, complication


def test_planted_ids_are_ids_in_the_data(planted_data: DemoData) -> None:
    kinds = {p["kind"]: p for p in planted_data.planted}
    assert set(kinds) == {"lot", "practitioner", "device"}
    assert (
        kinds["lot"]["lot"] in planted_data.tables["treatment_products"].column("lot").to_pylist()
    )
    t = planted_data.tables["treatments"]
    assert kinds["practitioner"]["practitioner_id"] in t.column("practitioner_id").to_pylist()
    assert kinds["device"]["device_id"] in t.column("device_id").to_pylist()
    assert kinds["device"]["from_month"] == "2025-01"
