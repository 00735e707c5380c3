"""Demo limits: text length, upload size, batch rows, predictions per session."""
import pytest

from business.limits import (MAX_TABLE_BYTES, MIB, LimitError, RateLimit, binary_size, check_rows, check_text,
                             check_upload)


def test_a_text_over_the_limit_is_refused_with_its_length():
    with pytest.raises(LimitError, match="2,001 characters; the demo takes at most 2,000"):
        check_text("x" * 2001)


def test_an_empty_text_is_refused_and_a_good_one_comes_back_trimmed():
    with pytest.raises(LimitError, match="empty"):
        check_text("   ")
    assert check_text("  refund please ") == "refund please"


def test_an_upload_over_the_size_limit_is_refused_with_both_sizes_in_one_binary_unit():
    with pytest.raises(LimitError, match=r"5\.7 MiB; the limit is 5 MiB\.$"):
        check_upload(6_000_000)
    check_upload(1_000)


def test_sizes_are_said_in_mib_and_a_size_just_over_a_limit_never_reads_as_the_limit():
    assert MAX_TABLE_BYTES == 200 * MIB and binary_size(MAX_TABLE_BYTES) == "200 MiB"
    assert binary_size(201 * MIB) == "201 MiB"
    assert binary_size(200.4 * MIB) == "200.4 MiB"
    assert binary_size(1024 * MIB) == "1 GiB"


def test_a_batch_over_the_row_limit_is_refused():
    with pytest.raises(LimitError, match="501 rows"):
        check_rows(501)


def test_the_rate_limit_admits_up_to_its_count_then_refuses_until_the_window_passes():
    limit = RateLimit(max_calls=2, window_s=60)
    calls = limit.admit((), now=0.0)
    calls = limit.admit(calls, now=1.0)
    with pytest.raises(LimitError, match="try again in 59 s"):
        limit.admit(calls, now=1.0)
    assert limit.admit(calls, now=60.5) == (1.0, 60.5)  # the call at 0 s has left the window
