"""Rate limits shared by every session of a server: one real SQLite file, opened as two servers' sessions would."""
import sqlite3

import pytest

from business.limits import LimitError, RateLimit
from business.rate_limits import Bucket, SharedLimiter

FIVE_PER_5_MIN = RateLimit(max_calls=5, window_s=300)


def account(name: str, limit: RateLimit = FIVE_PER_5_MIN) -> Bucket:
    return Bucket("this account", f"account:{name}", limit)


def test_calls_counted_by_one_limiter_count_for_another_on_the_same_file(tmp_path):
    first, second = SharedLimiter(tmp_path / "limits.db"), SharedLimiter(tmp_path / "limits.db")
    for second_ in range(4):
        first.admit("sign-in attempts", [account("ivan")], now=1000.0 + second_)

    admitted = second.admit("sign-in attempts", [account("ivan")], now=1010.0)

    assert admitted.remaining == 0
    with pytest.raises(LimitError, match=r"^Too many sign-in attempts from this account: 5 in the last 5 minutes "
                                         r"\(the limit is 5\); 0 left in this window. Try again in 290 s.$"):
        first.admit("sign-in attempts", [account("ivan")], now=1010.0)


def test_the_tightest_bucket_decides_and_a_refusal_counts_in_no_bucket(tmp_path):
    limiter = SharedLimiter(tmp_path / "limits.db")
    session = Bucket("this session", "session:abc", RateLimit(2, 600))
    address = Bucket("this address", "address:203.0.113.7", RateLimit(10, 600))

    assert limiter.admit("demo predictions", [session, address], now=0.0).describe("demo predictions") == \
        "1 demo predictions left in this 10-minute window."
    limiter.admit("demo predictions", [session, address], now=1.0)
    with pytest.raises(LimitError, match="from this session: 2 in the last 10 minutes"):
        limiter.admit("demo predictions", [session, address], now=2.0)

    assert limiter.admit("demo predictions", [address], now=3.0).remaining == 7  # the refused call was not counted


def test_calls_older_than_the_window_no_longer_count(tmp_path):
    limiter = SharedLimiter(tmp_path / "limits.db")
    for second in range(5):
        limiter.admit("sign-in attempts", [account("ivan")], now=float(second))
    with pytest.raises(LimitError):
        limiter.admit("sign-in attempts", [account("ivan")], now=299.0)
    assert limiter.admit("sign-in attempts", [account("ivan")], now=300.5).remaining == 0  # the call at 0 s expired


def test_accounts_and_actions_are_counted_apart_and_stored_without_names(tmp_path):
    limiter = SharedLimiter(tmp_path / "limits.db")
    one = RateLimit(1, 60)
    limiter.admit("sign-in attempts", [account("ivan", one)], now=0.0)
    limiter.admit("sign-in attempts", [account("ada", one)], now=0.0)
    limiter.admit("demo predictions", [account("ivan", one)], now=0.0)

    keys = [row[0] for row in sqlite3.connect(tmp_path / "limits.db").execute("SELECT key FROM calls")]
    assert len(keys) == 3 and not any("ivan" in key or "ada" in key for key in keys)
