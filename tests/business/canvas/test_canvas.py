from decimal import Decimal

import pytest

from business.canvas.model import (
    Canvas, CanvasError, Evidence, StreamType, make_item, make_revenue_stream, make_value_proposition,
    remove_named, upsert_named, with_block,
)
from tests.builders import canvas_with_segments


def stream_fields(**overrides):
    fields = dict(name="Team plan", segment="SaaS teams", stream_type="subscription", price_usd="49",
                  unit="seat", billing_period="month")
    return {**fields, **overrides}


def test_an_item_keeps_its_text_trimmed_and_defaults_to_a_hypothesis():
    item = make_item("  Support teams at SaaS companies  ")
    assert item.text == "Support teams at SaaS companies"
    assert item.evidence is Evidence.HYPOTHESIS


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_an_empty_or_whitespace_item_is_refused(text):
    with pytest.raises(CanvasError, match="Item text is empty"):
        make_item(text)


def test_a_text_over_the_length_limit_is_refused_with_its_length():
    with pytest.raises(CanvasError, match="2,001 characters"):
        make_item("x" * 2001)


def test_an_unknown_evidence_level_names_the_choices():
    with pytest.raises(CanvasError, match="'proven' is not one of: hypothesis, partly validated, validated"):
        make_item("A", "proven")


def test_html_in_a_field_is_kept_as_plain_text():
    item = make_item("<script>alert(1)</script>")
    assert item.text == "<script>alert(1)</script>"


def test_a_value_proposition_needs_an_existing_segment():
    canvas = canvas_with_segments("SaaS teams")
    with pytest.raises(CanvasError, match="'Hospitals' is not on the canvas"):
        make_value_proposition(canvas, name="Fast", segment="Hospitals", job_to_be_done="j", problems="p")


def test_a_value_proposition_says_which_required_field_is_missing():
    canvas = canvas_with_segments("SaaS teams")
    with pytest.raises(CanvasError, match="Job to be done is empty"):
        make_value_proposition(canvas, name="Fast", segment="SaaS teams", job_to_be_done=" ", problems="p")


def test_a_revenue_stream_reads_prices_as_exact_decimals():
    stream = make_revenue_stream(canvas_with_segments("SaaS teams"), **stream_fields(price_usd="1,049.10"))
    assert stream.price_usd == Decimal("1049.1")
    assert stream.stream_type is StreamType.SUBSCRIPTION


@pytest.mark.parametrize("price, message", [
    ("-5", "negative"), ("abc", "not a number"), ("1e30", "over the limit"), ("NaN", "not a finite number"),
    ("", "Price is empty"),
])
def test_a_bad_price_is_refused_with_the_reason(price, message):
    with pytest.raises(CanvasError, match=message):
        make_revenue_stream(canvas_with_segments("SaaS teams"), **stream_fields(price_usd=price))


def test_included_usage_without_an_overage_price_is_refused_for_usage_pricing():
    with pytest.raises(CanvasError, match="overage price is empty"):
        make_revenue_stream(canvas_with_segments("SaaS teams"),
                            **stream_fields(stream_type="hybrid", included_usage="1000"))


def test_an_unknown_revenue_type_is_refused():
    with pytest.raises(CanvasError, match="Revenue type 'barter'"):
        make_revenue_stream(canvas_with_segments("SaaS teams"), **stream_fields(stream_type="barter"))


def test_names_of_entries_stay_unique_ignoring_case():
    canvas = canvas_with_segments("SaaS teams")
    first = make_revenue_stream(canvas, **stream_fields())
    twin = make_revenue_stream(canvas, **stream_fields(name="TEAM PLAN"))
    with pytest.raises(CanvasError, match="already used"):
        upsert_named((first,), twin)


def test_replacing_an_entry_keeps_its_place_and_may_rename_it():
    canvas = canvas_with_segments("SaaS teams")
    a, b = (make_revenue_stream(canvas, **stream_fields(name=n)) for n in ("A", "B"))
    renamed = make_revenue_stream(canvas, **stream_fields(name="A2"))
    assert [e.name for e in upsert_named((a, b), renamed, replacing="A")] == ["A2", "B"]
    assert [e.name for e in remove_named((a, b), "A")] == ["B"]


def test_an_unknown_block_is_refused():
    with pytest.raises(CanvasError, match="Unknown canvas block 'mission'"):
        with_block(Canvas(), "mission", [])
