"""Timestamps a person reads are local date and time, never a raw ISO string."""
from datetime import datetime, timezone

from business.timestamps import local_date, local_time_text


def test_a_stored_utc_timestamp_is_shown_in_local_date_and_time():
    stored = "2026-11-30T09:05:41+00:00"
    local = datetime(2026, 11, 30, 9, 5, tzinfo=timezone.utc).astimezone()

    assert local_time_text(stored) == local.strftime("%d %b %Y, %H:%M")
    assert "T" not in local_time_text(stored) and "+00:00" not in local_time_text(stored)


def test_a_run_card_timestamp_with_a_z_reads_the_same_as_the_store_s():
    assert local_time_text("2026-11-30T09:05:41Z") == local_time_text("2026-11-30T09:05:41+00:00")


def test_the_local_day_of_a_save_is_its_date_in_this_machine_s_zone():
    stored = "2026-11-30T09:05:41+00:00"

    assert local_date(stored) == datetime.fromisoformat(stored).astimezone().date()


def test_text_that_is_not_a_timestamp_is_shown_as_it_is():
    assert local_time_text("yesterday") == "yesterday"
    assert local_date("yesterday") is None
