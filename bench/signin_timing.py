"""Benchmark: sign-in time for a known name with a wrong password against an unknown name, side by side.

Both should cost one bcrypt check at the accounts' work factor, so the ratio stays near 1 and the answer
time reveals no names. Cost 12 is what `python -m business.hosting hash-password` writes.

  .venv/bin/python bench/signin_timing.py [--cost 12] [--repeats 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bcrypt  # noqa: E402

from business.hosting import FOUNDER, hosted_config, sign_in  # noqa: E402


def median_ms(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cost", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    hashed = bcrypt.hashpw(b"a-real-password", bcrypt.gensalt(args.cost)).decode()
    config = hosted_config({"hosted": {"share_secret": "s" * 40,
                                       "users": {"ada": {"role": FOUNDER, "password_hash": hashed}}}}, {})
    sign_in(config, "nobody", "warm-up")  # the dummy hash is made once per cost
    known = median_ms(lambda: sign_in(config, "ada", "wrong-password"), args.repeats)
    unknown = median_ms(lambda: sign_in(config, "nobody", "wrong-password"), args.repeats)
    print(f"bcrypt cost {args.cost}, median of {args.repeats}: known name {known:,.0f} ms, unknown name "
          f"{unknown:,.0f} ms, ratio unknown/known {unknown / known:.2f}")


if __name__ == "__main__":
    main()
