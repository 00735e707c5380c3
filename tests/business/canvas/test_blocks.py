"""The one reading of a canvas every view renders: form entries belong to their blocks; amounts stay plain."""
from decimal import Decimal

import pytest

from business.canvas.amounts import count, plain_amount, plain_count, usd
from business.canvas.blocks import block_entries, stream_terms
from business.canvas.checks import completeness, review_canvas
from business.canvas.diff import diff_canvases
from business.canvas.json_io import canvas_from_dict
from business.canvas.model import Evidence, make_revenue_stream, make_value_proposition, parse_money
from business.example_project import EXAMPLE_CANVAS
from tests.builders import canvas_with_segments

EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)


def with_proposition(canvas, name="Audit trail"):
    proposition = make_value_proposition(canvas, name=name, segment="SaaS teams", job_to_be_done="Prove routing",
                                         problems="Nothing is logged")
    return canvas_from_dict({"blocks": {"customer_segments": [{"text": "SaaS teams"}]},
                             "value_propositions": [vars(proposition)]})


def test_the_value_propositions_block_lists_the_form_entries_first_then_its_items():
    entries = block_entries(EXAMPLE, "value_propositions")
    assert [e.text for e in entries[:2]] == ["Instant ticket routing", "Private routing model"]
    assert entries[0].evidence is None and entries[0].detail == "for Growing SaaS support teams"
    assert entries[2].text == "Tickets reach the right team in seconds instead of hours"
    assert entries[2].evidence is Evidence.PARTLY_VALIDATED


def test_the_revenue_streams_block_shows_each_stream_with_its_price_in_dollars():
    labels = [e.label() for e in block_entries(EXAMPLE, "revenue_streams")]
    assert labels[0] == ("Team plan ($490.00 per team a month, 10,000 included then $0.02 each; "
                         "paid by Growing SaaS support teams)")
    assert labels[2] == "Enterprise licence ($60,000.00 per deployment a year; paid by Enterprise support organisations)"
    assert labels[3] == "Monthly subscription per support team [partly validated]"


def test_a_block_holding_only_form_entries_counts_as_filled():
    canvas = with_proposition(canvas_with_segments("SaaS teams"))
    assert not any(a.block == "Value Propositions" and a.severity == "missing" for a in review_canvas(canvas))
    assert completeness(canvas) == pytest.approx(2 / 9)


def test_a_new_value_proposition_shows_in_the_diff_under_its_block():
    before = canvas_with_segments("SaaS teams")
    [change] = diff_canvases(before, with_proposition(before))
    assert change.section == "Value Propositions" and change.kind == "added"
    assert change.text.startswith("Value proposition 'Audit trail' for SaaS teams: job 'Prove routing'")


def test_a_stream_price_change_shows_in_the_diff_as_plain_dollars():
    canvas = canvas_with_segments("SaaS teams")
    fields = dict(name="Team", segment="SaaS teams", stream_type="subscription", unit="seat", billing_period="year")
    old = canvas_from_dict({"blocks": {"customer_segments": [{"text": "SaaS teams"}]},
                            "revenue_streams": [{**fields, "price_usd": "60000"}]})
    new = canvas_from_dict({"blocks": {"customer_segments": [{"text": "SaaS teams"}]},
                            "revenue_streams": [{**fields, "price_usd": "65000"}]})
    assert make_revenue_stream(canvas, **fields, price_usd="1").billing_period.value == "year"
    texts = [c.text for c in diff_canvases(old, new)]
    assert any("$60,000.00 per seat a year" in t for t in texts) and any("$65,000.00" in t for t in texts)


@pytest.mark.parametrize("typed, stored", [("490", "490"), ("60000", "60000"), ("4.9E+2", "490"), ("0.020", "0.02")])
def test_a_parsed_price_never_keeps_an_exponent(typed, stored):
    assert str(parse_money(typed, "Price")) == stored


@pytest.mark.parametrize("amount, file_text, person_text", [
    ("4.9E+2", "490.00", "$490.00"),
    ("6E+4", "60000.00", "$60,000.00"),
    ("0.000125", "0.000125", "$0.000125"),
    ("1234567.5", "1234567.50", "$1,234,567.50"),
])
def test_money_reads_in_full_in_files_and_for_people(amount, file_text, person_text):
    assert (plain_amount(Decimal(amount)), usd(Decimal(amount))) == (file_text, person_text)


def test_counts_read_without_exponent_or_spurious_decimals():
    assert (plain_count(Decimal("1E+4")), count(Decimal("1E+4")), count(Decimal("2.50"))) == ("10000", "10,000", "2.5")


def test_stream_terms_name_the_overage_even_without_included_usage():
    canvas = canvas_with_segments("SaaS teams")
    stream = make_revenue_stream(canvas, name="API", segment="SaaS teams", stream_type="usage-based",
                                 price_usd="30", unit="1,000 calls", billing_period="one-off", overage_price_usd="0.05")
    assert stream_terms(stream) == "$30.00 per 1,000 calls, once, $0.05 per extra unit"
