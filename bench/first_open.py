"""Benchmark: seconds from a click in the sidebar to a usable page, on a cold server, in a real browser.

For each page, a fresh `streamlit run` (cold process, empty data folder, offline) is opened at its root
URL in Debian's Chromium; after a pause a founder would spend reading the canvas (--think seconds), the
page's sidebar link is clicked and the clock runs until the page has finished its script run. Each page
is measured with the background import of the model libraries off (APP_WARM_IMPORTS=0, the baseline:
what every page did before) and on, alternating, and the ratio is printed side by side.

  .venv/bin/python bench/first_open.py [--pages "Text classifier,Image classifier"] [--think 3] [--rounds 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, served_app, wait_for_app  # noqa: E402

# sidebar title -> (url path, the page's own heading, which proves the page itself has rendered); the URL is
# the page's file name (ui/routing.py)
PAGES = {"Compute and GPU costs": ("costs", "Costs"), "Financial model": ("financials", "Financial model"),
         "Text classifier": ("text_classifier", "Text classifier"),
         "Image classifier": ("image_classifier", "Image classifier"),
         "Investor view": ("investor", "TicketSense (example)")}


def first_open_seconds(title: str, warm: bool, think_s: float) -> float:
    os.environ.update(APP_WARM_IMPORTS="1" if warm else "0", APP_OFFLINE="1")
    with tempfile.TemporaryDirectory() as folder, served_app(Path(folder) / "data", Path(folder) / "server.log") as url:
        with browser_page(Path(folder)) as page:
            page.goto(url)
            wait_for_app(page)
            page.wait_for_timeout(think_s * 1000)
            started = time.perf_counter()
            page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
            url_path, heading = PAGES[title]
            page.wait_for_url(f"**/{url_path}", timeout=120_000)
            page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=120_000)
            wait_for_app(page)
            return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--think", type=float, default=3.0, help="seconds on the canvas before the click")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"first open after {args.think:g} s on the canvas; cold server per measurement; {os.cpu_count()} cores")
    print(f"{'page':<24}{'baseline s':>12}{'warmed s':>10}{'ratio':>8}")
    for title in args.pages.split(","):
        cold, warm = [], []
        for _ in range(args.rounds):  # alternate, so a busy machine penalises both alike
            cold.append(first_open_seconds(title, False, args.think))
            warm.append(first_open_seconds(title, True, args.think))
        print(f"{title:<24}{min(cold):>12.1f}{min(warm):>10.1f}{min(cold) / min(warm):>7.1f}x", flush=True)


if __name__ == "__main__":
    main()
