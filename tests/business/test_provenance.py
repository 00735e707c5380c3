"""Provenance travels with a figure: each kind says who or what produced it, and survives storage."""
from __future__ import annotations

from datetime import date

import pytest

from business.provenance import (Provenance, ProvenanceError, estimated, measured, provenance_from_dict, published,
                                 typed)

DAY = date(2026, 11, 30)


def test_a_typed_figure_says_it_was_entered_by_you_with_the_date():
    assert typed(DAY).label() == "entered by you on 2026-11-30"


def test_an_estimate_names_its_method_and_inputs():
    label = estimated("cost estimator: MiniLM-L6 fp32 on RunPod L40S", {"utilisation": "40%"}, DAY).label()

    assert label == "estimated on 2026-11-30: cost estimator: MiniLM-L6 fp32 on RunPod L40S (utilisation 40%)"


def test_a_measurement_names_its_run():
    assert measured("20261130-ab12", DAY).label() == "measured by run 20261130-ab12 on 2026-11-30"


def test_every_kind_survives_a_round_trip_through_a_stored_dict():
    for provenance in (typed(DAY), estimated("m", {"a": 1}, DAY), measured("r1"), published("Epoch AI", DAY)):
        assert provenance_from_dict(provenance.to_dict()) == provenance


@pytest.mark.parametrize("stored, match", [
    ({"kind": "guessed"}, "kind"),
    ("typed", "kind"),
    ({"kind": "typed", "on": "yesterday"}, "ISO date"),
    ({"kind": "estimated", "method": {"nested": 1}}, "text"),
    ({"kind": "estimated", "inputs": [["a"]]}, "pairs"),
])
def test_a_tampered_provenance_is_refused_with_the_reason(stored, match):
    with pytest.raises(ProvenanceError, match=match):
        provenance_from_dict(stored)


def test_provenance_is_a_value():
    assert typed(DAY) == Provenance("typed", on=DAY) and hash(typed(DAY)) == hash(Provenance("typed", on=DAY))
