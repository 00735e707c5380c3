"""The text and label columns are found by name, guessed from the rows, or given; how is always said."""
from __future__ import annotations

import pandas as pd
import pytest

from modelkit.text.columns import MissingColumnError, map_columns
from modelkit.text.data import load_text_table
from tests.text_builders import run_cli

REVIEWS = ["Loved every minute of it", "Dull and far too long", "A quiet, lovely film", "I walked out early",
           "Great cast, weak ending", "Best thing I saw this year"]


def reviews_frame(**extra_columns) -> pd.DataFrame:
    return pd.DataFrame({**extra_columns, "review": REVIEWS, "sentiment": ["pos", "neg", "pos", "neg", "neg", "pos"]})


def test_review_and_sentiment_are_mapped_without_being_named():
    mapping = map_columns(reviews_frame())

    assert (mapping.text.column, mapping.label.column) == ("review", "sentiment")


def test_unknown_names_are_guessed_longest_text_and_repeating_label_never_the_id_column():
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(6)], "stars": ["5", "1", "4", "2", "3", "5"],
                          "comment": REVIEWS, "shop": ["a", "a", "b", "b", "a", "b"]})

    mapping = map_columns(frame)

    assert mapping.text.column == "comment" and mapping.text.how.startswith("guessed")
    assert mapping.label.column == "shop"  # 2 distinct values repeat; 'id' is unique per row, 'stars' has 5
    assert "2 distinct values in 6 rows" in mapping.label.how


def test_a_numeric_id_column_is_not_taken_for_the_text():
    frame = pd.DataFrame({"id": list(range(6)), "body_text": REVIEWS, "queue": ["x", "y"] * 3})

    assert map_columns(frame).text.column == "body_text"


def test_a_guess_is_said_in_the_tables_warnings_and_the_given_columns_win(tmp_path):
    path = tmp_path / "shop.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(6)], "comment": REVIEWS,
                  "verdict": ["ok", "bad", "ok", "bad", "bad", "ok"]}).to_csv(path, index=False)

    guessed = load_text_table(path)
    given = load_text_table(path, text_column="comment", label_column="verdict")

    assert guessed.label_column == "verdict"
    assert any("label column 'verdict' (guessed" in warning for warning in guessed.warnings)
    assert given.columns_how == "text column 'comment' (given); label column 'verdict' (given)"
    assert not any("guessed" in warning for warning in given.warnings)


def test_a_table_with_no_repeating_column_says_to_name_the_label():
    frame = pd.DataFrame({"body": REVIEWS, "ref": [f"r{i}" for i in range(6)]})

    with pytest.raises(MissingColumnError, match="name the label column"):
        map_columns(frame)


@pytest.mark.slow
def test_the_cli_check_takes_column_flags_and_prints_the_mapping_it_used(tmp_path):
    path = tmp_path / "shop.csv"
    rows = 10 * [("Loved it, would buy again", "good", "a"), ("Broke after a day", "bad", "b")]
    pd.DataFrame(rows, columns=["comment", "verdict", "shop"]).to_csv(path, index=False)

    guessed = run_cli("check", "--data", str(path))
    given = run_cli("check", "--data", str(path), "--text-column", "comment", "--label-column", "verdict")
    wrong = run_cli("check", "--data", str(path), "--label-column", "stars")

    assert guessed.returncode == 0 and given.returncode == 0, guessed.stderr + given.stderr
    assert "label column 'verdict' (guessed: 2 distinct values in 20 rows)" in guessed.stderr
    assert "text column 'comment' (given); label column 'verdict' (given)" in given.stderr
    assert wrong.returncode == 2 and "no label column named 'stars'" in wrong.stderr
