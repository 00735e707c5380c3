"""The CPU machine catalog: every row dated and sourced, and the machine picked by the cores measured on."""
from __future__ import annotations

from decimal import Decimal

import pytest

from business.costs.catalog import InvalidOffer
from business.costs.cpu_catalog import cpu_offer_for, cpu_offer_from_row, load_cpu_catalog


def test_every_shipped_cpu_row_has_a_date_a_source_and_twice_as_many_vcpus_as_cores():
    offers = load_cpu_catalog()

    assert len(offers) >= 3
    for offer in offers:
        assert offer.date_seen is not None and "skypilot-catalog" in offer.source
        assert offer.vcpus == 2 * offer.physical_cores  # hyper-threading: the price buys vCPUs, we measure cores


def test_the_cheapest_machine_with_enough_cores_is_picked():
    assert cpu_offer_for(2).instance.startswith("c7i.xlarge")
    assert cpu_offer_for(3).physical_cores == 4
    assert cpu_offer_for(None).usd_per_hour == min(o.usd_per_hour for o in load_cpu_catalog())
    assert cpu_offer_for(1000) is None


@pytest.mark.parametrize("change, message", [
    ({"vcpus": "two"}, "vcpus='two' must be a whole number"),
    ({"usd_per_hour": "-0.1"}, "must be a positive amount"),
    ({"instance": " "}, "instance=' ' must be a non-empty text"),
])
def test_a_bad_cpu_row_names_the_bad_value(change, message):
    row = {"provider": "AWS", "instance": "x", "vcpus": "4", "physical_cores": "2", "memory_gib": "8",
           "usd_per_hour": "0.1", "date_seen": "2026-12-01", "source": "s"}
    with pytest.raises(InvalidOffer, match=message):
        cpu_offer_from_row({**row, **change})
    assert cpu_offer_from_row(row).usd_per_hour == Decimal("0.1")
