from dataclasses import replace

from business.canvas.model import BLOCKS, Canvas, make_item, make_revenue_stream, with_block
from business.canvas.checks import completeness, review_canvas
from business.canvas.diff import diff_canvases
from business.canvas.json_io import canvas_from_dict
from business.example_project import EXAMPLE_CANVAS
from tests.builders import canvas_with_segments

EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)


def messages(canvas):
    return [a.message for a in review_canvas(canvas)]


def test_an_empty_canvas_asks_for_every_block_with_its_first_question():
    advice = review_canvas(Canvas())
    assert [a.block for a in advice] == [b.title for b in BLOCKS]
    assert "For whom are we creating value?" in advice[6].message
    assert completeness(Canvas()) == 0


def test_the_example_project_fills_every_block_with_two_propositions_and_three_stream_types():
    assert completeness(EXAMPLE) == 1
    assert len(EXAMPLE.value_propositions) == 2
    assert len({s.stream_type for s in EXAMPLE.revenue_streams}) == 3


def test_a_revenue_stream_whose_segment_was_removed_is_flagged():
    segments = [i for i in EXAMPLE.items("customer_segments") if i.text != "Enterprise support organisations"]
    canvas = with_block(EXAMPLE, "customer_segments", segments)
    assert any("'Enterprise licence' has no segment on the canvas" in m for m in messages(canvas))


def test_a_cost_structure_without_compute_is_flagged_and_one_with_gpus_is_not():
    no_compute = with_block(EXAMPLE, "cost_structure", [make_item("Salaries"), make_item("Office rent")])
    assert any("never mentions compute" in m for m in messages(no_compute))
    assert not any("never mentions compute" in m for m in messages(EXAMPLE))


def test_a_canvas_of_only_hypotheses_is_told_to_validate():
    canvas = canvas_with_segments("Teams", "Enterprises")
    assert any("All 2 items are still hypotheses" in m for m in messages(canvas))
    validated = with_block(canvas, "customer_segments", [make_item("Teams", "validated")])
    assert not any("still hypotheses" in m for m in messages(validated))


def test_a_segment_that_pays_through_no_stream_is_pointed_out():
    canvas = canvas_with_segments("Teams", "Enterprises")
    stream = make_revenue_stream(canvas, name="Plan", segment="Teams", stream_type="subscription",
                                 price_usd="10", unit="seat", billing_period="month")
    canvas = replace(canvas, revenue_streams=(stream,))
    assert "Segment 'Enterprises' pays through no revenue stream." in messages(canvas)


def test_diff_shows_an_edit_as_removed_then_added_in_its_block():
    before = with_block(Canvas(), "channels", [make_item("Webinars"), make_item("Ads")])
    after = with_block(Canvas(), "channels", [make_item("Webinars", "validated"), make_item("Ads")])
    changes = diff_canvases(before, after)
    assert [(c.section, c.kind, c.text) for c in changes] == [
        ("Channels", "removed", "Webinars [hypothesis]"),
        ("Channels", "added", "Webinars [validated]"),
    ]


def test_diff_of_identical_canvases_is_empty():
    assert diff_canvases(EXAMPLE, canvas_from_dict(EXAMPLE_CANVAS)) == []
