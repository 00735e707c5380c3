"""Chart titles fit a phone: plotly never wraps a title, so long ones are broken into lines of 40 characters."""
from __future__ import annotations

import pytest

from ui.text import chart_title


@pytest.mark.parametrize("text, shown", [
    ("Training loss", "Training loss"),
    ("Monthly revenue by stream (optimistic scenario)", "Monthly revenue by stream<br>(optimistic scenario)"),
    ("Cost vs wall-clock: the cheapest offer for each deadline",
     "Cost vs wall-clock:<br>the cheapest offer for each deadline"),
])
def test_a_long_title_breaks_after_a_colon_or_before_a_parenthesis(text, shown):
    assert chart_title(text) == shown


def test_a_title_without_a_good_break_wraps_at_words_and_user_text_stays_text():
    shown = chart_title("Margin by usage cohort for the plan <b>Enterprise & Friends</b> with its very long name")

    lines = shown.split("<br>")
    assert len(lines) == 3 and all(len(line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) <= 40
                                   for line in lines)
    assert "<b>" not in shown and "&lt;b&gt;Enterprise &amp; Friends&lt;/b&gt;" in shown.replace("<br>", " ")
