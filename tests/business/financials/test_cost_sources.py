"""The cost per request keeps its true source: typed, estimated or measured, through saves and old documents."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from business.canvas.json_io import canvas_from_dict
from business.costs.catalog import load_catalog
from business.costs.serving import ServingInputs, serving_cost
from business.costs.models import preset
from business.example_project import EXAMPLE_CANVAS
from business.financials.assumptions import make_cost_per_request
from business.financials.cost_sources import cost_from_form, estimated_cost, measured_cost
from business.financials.storage import (AssumptionsDocumentError, assumptions_from_dict, assumptions_to_dict,
                                         default_assumptions, load_assumptions, save_assumptions)
from business.provenance import estimated, measured, typed
from business.store import Store
from business.timestamps import local_date

DAY = date(2026, 11, 30)


def assumptions_with(cost):
    return replace(default_assumptions(canvas_from_dict(EXAMPLE_CANVAS)), cost_per_request=cost)


@pytest.mark.parametrize("provenance", [
    typed(DAY),
    estimated("cost estimator, MiniLM-L6 bf16 on RunPod L40S", {"per request": "256 tokens"}, DAY),
    measured("20261130-ab12-text", DAY, "250.0 requests/s on cpu at $0.90/hour"),
], ids=["typed", "estimated", "measured"])
def test_each_kind_of_cost_survives_a_save_and_a_load_of_the_financials_document(tmp_path, provenance):
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Acme")
    save_assumptions(store, project.id, assumptions_with(make_cost_per_request("5.00", provenance)), None)

    loaded, version = load_assumptions(store, project.id)

    assert version == 1
    assert loaded.cost_per_request.provenance == provenance
    assert loaded.cost_per_request.usd_per_1k_requests == Decimal("5.00")


def test_a_typed_cost_says_entered_by_you_with_the_date_of_the_save():
    cost = make_cost_per_request("5.00", typed(DAY))

    assert cost.describe() == "$5.00 per 1,000 requests (entered by you on 2026-11-30)"


@pytest.mark.parametrize("old_source, kind, words", [
    ("estimate: cost estimator, MiniLM-L6 fp32 on RunPod L40S", "estimated", "cost estimator, MiniLM-L6 fp32"),
    ("measured run card run-abc at $0.90/h", "measured", "measured by run run-abc"),
    ("our CTO's guess from the AWS bill", "typed", "entered by you on"),
    ("estimate", "estimated", "method not recorded"),
])
def test_an_older_document_with_a_source_text_is_read_sensibly_and_loses_nothing(tmp_path, old_source, kind, words):
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Old")
    document = assumptions_to_dict(assumptions_with(make_cost_per_request("5", typed(DAY))))
    document["cost_per_request"] = {"usd_per_1k_requests": "5", "source": old_source}
    store.save(project.id, "financials", document, None, "written by an older version of the app")

    loaded, _ = load_assumptions(store, project.id)

    cost = loaded.cost_per_request
    assert cost.provenance.kind == kind and words in cost.source
    assert cost.provenance.on == local_date(store.load_latest(project.id, "financials").created_at)
    if kind == "typed":
        assert old_source in cost.source  # the founder's own words are kept


def test_a_cost_with_neither_provenance_nor_source_is_refused_with_the_reason():
    document = assumptions_to_dict(default_assumptions(canvas_from_dict(EXAMPLE_CANVAS)))
    document["cost_per_request"] = {"usd_per_1k_requests": "5"}

    with pytest.raises(AssumptionsDocumentError, match="neither a provenance nor a source"):
        assumptions_from_dict(document)


def test_a_tampered_provenance_in_a_document_is_refused_with_the_reason():
    document = assumptions_to_dict(default_assumptions(canvas_from_dict(EXAMPLE_CANVAS)))
    document["cost_per_request"]["provenance"] = {"kind": "guessed"}

    with pytest.raises(AssumptionsDocumentError,
                       match=r"cost_per_request\.provenance\.kind: 'guessed' is not allowed"):
        assumptions_from_dict(document)


def test_a_figure_edited_on_the_form_becomes_typed_on_the_day_of_the_save():
    shown = estimated_cost(serving_cost(ServingInputs(preset("minilm-l6"), "bf16", tokens_per_request=256), load_catalog()), "MiniLM-L6", "256 tokens",
                           DAY)

    saved = cost_from_form(5.0, shown, date(2026, 12, 1))

    assert saved == make_cost_per_request(Decimal("5.0"), typed(date(2026, 12, 1)))


def test_a_figure_left_alone_on_the_form_keeps_its_source_and_its_exact_value():
    shown = make_cost_per_request(Decimal("0.000069649"), measured("run-abc", DAY))

    saved = cost_from_form(float(shown.usd_per_1k_requests), shown, date(2026, 12, 1))

    assert saved is shown


def test_an_estimate_keeps_its_method_and_inputs_and_a_measurement_names_its_run():
    estimate = estimated_cost(serving_cost(ServingInputs(preset("minilm-l6"), "bf16", tokens_per_request=256), load_catalog()), "MiniLM-L6",
                              "256 tokens", DAY)
    measurement = measured_cost("run-abc", 250.0, "cpu", Decimal("0.90"), DAY)

    assert estimate.provenance.kind == "estimated" and "MiniLM-L6" in estimate.source
    assert "256 tokens" in estimate.source and "on 2026-11-30" in estimate.source
    assert measurement.usd_per_1k_requests == Decimal("0.001")
    assert measurement.source.startswith("measured by run run-abc on 2026-11-30")


def test_a_field_clicked_into_and_out_of_reads_back_rounded_and_still_keeps_its_source():
    shown = make_cost_per_request(Decimal("0.000069649"), estimated("cost estimator", on=DAY))

    saved = cost_from_form(0.00006965, shown, date(2026, 12, 1))  # what the 8-decimal field shows

    assert saved is shown
