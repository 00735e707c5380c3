"""Benchmark: seconds from a click in the sidebar to a usable page, on a cold server, in a real browser.

For each page, a fresh `streamlit run` (cold process, empty data folder, offline) is opened at its root
URL in Debian's Chromium; after a pause a founder would spend reading the canvas (--think seconds), the
page's sidebar link is clicked and two clocks run: "usable" stops when the page's data section is on
screen (the founder can read and type), "finished" when the page's script run has ended and every chart
has been sent. Each page is measured with the background import (ui/warmup.py) off (APP_WARM_IMPORTS=0,
the baseline) and on, alternating, and the ratios are printed side by side, then the warmed figure against
the issue's (16: first click, same machine, before any of this) and the 2 s target. The figures move with
the machine's load (printed): compare runs made in the same minutes, never against figures from another day.

  .venv/bin/python bench/first_open.py [--pages "Text classifier,Image classifier"] [--think 3] [--rounds 1]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, served_app, wait_for_app  # noqa: E402


@dataclass(frozen=True)
class Target:
    url_path: str  # the page's file name (ui/routing.py)
    heading: str  # the page's own title: the page itself has rendered
    data_section: str  # the start of a text in the page's data section: the founder can start working


# issue 16, "Open at once": seconds to show the page after the first click, measured before the background import
ISSUE_S = {"Compute and GPU costs": 7.0, "Text classifier": 13.2, "Image classifier": 3.8}
TARGET_S = 2.0

PAGES = {"Compute and GPU costs": Target("costs", "Costs", "Estimate "),
         "Financial model": Target("financials", "Financial model", "Headline figures ("),
         "Text classifier": Target("text_classifier", "Text classifier", "Label column"),
         "Image classifier": Target("image_classifier", "Image classifier", "Training images"),
         "Investor view": Target("investor", "TicketSense (example)", "Charts")}


@dataclass(frozen=True)
class FirstOpen:
    usable_s: float
    finished_s: float


def first_open(title: str, warm: bool, think_s: float) -> FirstOpen:
    os.environ.update(APP_WARM_IMPORTS="1" if warm else "0", APP_OFFLINE="1")
    target = PAGES[title]
    with tempfile.TemporaryDirectory() as folder, served_app(Path(folder) / "data", Path(folder) / "server.log") as url:
        with browser_page(Path(folder)) as page:
            page.goto(url)
            wait_for_app(page)
            page.wait_for_timeout(think_s * 1000)
            started = time.perf_counter()
            page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
            page.wait_for_url(f"**/{target.url_path}", timeout=120_000)
            page.get_by_role("heading", name=target.heading, exact=True).wait_for(timeout=120_000)
            page.get_by_text(re.compile("^" + re.escape(target.data_section))).first.wait_for(timeout=120_000)
            usable = time.perf_counter() - started
            wait_for_app(page)
            return FirstOpen(usable, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--think", type=float, default=3.0, help="seconds on the canvas before the click")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"first open after {args.think:g} s on the canvas; cold server per measurement; {os.cpu_count()} cores; "
          f"best of {args.rounds}; baseline = APP_WARM_IMPORTS=0; load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<24}{'usable: baseline s':>20}{'warmed s':>10}{'ratio':>7}"
          f"{'finished: baseline s':>22}{'warmed s':>10}{'ratio':>7}{'issue s':>9}{'issue/warmed':>14}"
          f"{'<= 2 s':>8}")
    for title in args.pages.split(","):
        cold, warm = [], []
        for _ in range(args.rounds):  # alternate, so a busy machine penalises both alike
            cold.append(first_open(title, False, args.think))
            warm.append(first_open(title, True, args.think))
        usable = min(m.usable_s for m in cold), min(m.usable_s for m in warm)
        finished = min(m.finished_s for m in cold), min(m.finished_s for m in warm)
        issue = ISSUE_S.get(title)
        against = f"{issue:>9.1f}{issue / usable[1]:>13.1f}x" if issue else f"{'-':>9}{'-':>14}"
        print(f"{title:<24}{usable[0]:>20.1f}{usable[1]:>10.1f}{usable[0] / usable[1]:>6.1f}x"
              f"{finished[0]:>22.1f}{finished[1]:>10.1f}{finished[0] / finished[1]:>6.1f}x{against}"
              f"{'yes' if usable[1] <= TARGET_S else 'no':>8}  (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
