"""Every bad input of issue 15 ("Every bad input a clear message, nothing half-done"), through the entry points a
person uses: `python -m modelkit check` as a real process for tables, the modelkit functions the pages call
for image zips and the demo, the CLI's CSV writer for exports, an AppTest for what the image page renders.

Each case is judged the same way: a crash (a traceback, an exit status other than 0 or 2, an exception that is
not the data error it should be), lost (a refusal that leaves files behind), silent (no message that says
what is wrong, a wrong result, a message over several lines or naming a server path) or clear. The tally
(cases tried / clear / crashes / silent / lost) is printed at the end of the run. The JSON and canvas cases
are in tests/business (schema tests); a read-only or full data folder in the fault-injection tests.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from tests.image_builders import black_png, class_zip, image_config, png_bytes, zip_of

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    said: tuple[str, ...]  # each message a person reads: an error, or the warnings of an accepted input
    refused: bool
    crashed: bool = False
    wrong: str = ""  # what is wrong with an accepted result (classes split, a cell left as a formula...)
    leftovers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Path], Outcome]
    refused: bool  # refused (exit status 2, a data error) or accepted with a warning
    says: str  # a pattern the message must contain


def judge(case: Case, outcome: Outcome, server_paths: list[str]) -> str:
    if outcome.crashed:
        return "crash"
    if outcome.leftovers:
        return "lost"
    matching = [line for line in outcome.said if re.search(case.says, line)]
    clear = (outcome.refused == case.refused and not outcome.wrong and len(matching) == 1
             and "\n" not in matching[0].strip() and "Traceback" not in matching[0]
             and not any(path in matching[0] for path in server_paths))
    return "clear" if clear else "silent"


@pytest.fixture(scope="module")
def tally(request):
    counts: Counter = Counter()
    yield counts
    line = (f"bad-input corpus: {counts['tried']} cases tried / {counts['clear']} clear / {counts['crash']} crashes / "
            f"{counts['silent']} silent / {counts['lost']} lost")
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # past pytest's capture, onto the terminal
        reporter.write_line("")
        reporter.write_line(line)


def files_under(folder: Path) -> tuple[str, ...]:
    if not folder.exists():
        return ()
    return tuple(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()))


def app_data() -> Path:
    return Path(os.environ["APP_DATA_DIR"])


def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir(exist_ok=True)
    return folder


# --- tables, through `python -m modelkit check --data NAME` (run from the file's folder) ---

def cli_check(tmp_path: Path, name: str, wrong: Callable[[dict], str] = lambda report: "") -> Outcome:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "modelkit", "check", "--data", name], cwd=workdir(tmp_path),
                            env=env, capture_output=True, text=True, timeout=300)
    crashed = "Traceback" in result.stderr or result.returncode not in (0, 2)
    leftovers = files_under(app_data())  # a check writes nothing
    if result.returncode != 0:
        errors = tuple(line[len("error: "):] for line in result.stderr.splitlines() if line.startswith("error: "))
        return Outcome(errors or (result.stderr,), refused=True, crashed=crashed, leftovers=leftovers)
    report = json.loads(result.stdout)
    said = tuple(report["warnings"]) + (f"encoding {report['encoding']}",)
    return Outcome(said, refused=False, crashed=crashed, wrong=wrong(report), leftovers=leftovers)


def table_case(name: str, content: bytes, refused: bool, says: str, wrong=lambda report: "") -> Case:
    def run(tmp_path: Path) -> Outcome:
        (workdir(tmp_path) / "tickets.csv").write_bytes(content)
        return cli_check(tmp_path, "tickets.csv", wrong)

    return Case(name, run, refused, says)


def rows(pairs) -> bytes:
    return "\n".join(["text,label"] + [f"{text},{label}" for text, label in pairs]).encode()


def a_folder_as_data(tmp_path: Path) -> Outcome:
    (workdir(tmp_path) / "tickets").mkdir()
    return cli_check(tmp_path, "tickets")


def a_table_over_the_size_limit(tmp_path: Path) -> Outcome:
    with (workdir(tmp_path) / "tickets.csv").open("wb") as handle:
        handle.truncate(201 * MIB)  # sparse: stat says 201 MiB, the disk holds nothing
    return cli_check(tmp_path, "tickets.csv")


def classes_other_than(expected: set[str]) -> Callable[[dict], str]:
    return lambda report: "" if set(report["class_counts"]) == expected else f"classes {sorted(report['class_counts'])}"


TICKETS = [(f"ticket number {i}", "billing" if i % 2 else "bug") for i in range(20)]
TABLE_CASES = [
    Case("a folder passed as --data", a_folder_as_data, True, r"^tickets/ is a folder, not a table"),
    table_case("a file of two rows", rows([("refund", "billing"), ("crash", "bug")]), True, r"no validation rows"),
    table_case("10,000 classes of one row each", rows((f"text {i}", f"label {i}") for i in range(10_000)), True,
               r"none of the 10,000 labels has two rows"),
    table_case("labels written 1 and 1.0", rows((f"text {i}", ("1", "1.0", "2")[i % 3]) for i in range(30)), False,
               r"numeric labels written differently were merged: 1\.0 -> 1", classes_other_than({"1", "2"})),
    table_case("NaN, None and NULL as labels", rows(TICKETS + [("a", "NaN"), ("b", "None"), ("c", "NULL"), ("d", "")]),
               False, r"^4 row\(s\) with a missing label .* were left out", classes_other_than({"billing", "bug"})),
    table_case("UTF-16 with a byte-order mark", rows(TICKETS).decode().encode("utf-16"), False, r"^encoding utf-16$",
               classes_other_than({"billing", "bug"})),
    table_case("a file in another encoding (latin-1)",
               rows(TICKETS + [("café crème", "bug")]).decode().encode("latin-1"),
               False, r"not valid UTF-8; read it as latin-1"),
    table_case("an extra field in the first row (ragged CSV)",
               b"text,label\nhello, world,billing\n" + rows(TICKETS)[11:],
               True, r"row 1 \(line 2\) has 3"),
    Case("a table over the size limit", a_table_over_the_size_limit, True,
         r"the file is 201 MiB; the limit is 200 MiB"),
    table_case("an empty file", b"", True, r"^tickets\.csv is empty"),
    table_case("a binary file named .csv", b"PK\x03\x04\x00\x00" + bytes(100), True, r"looks binary"),
]


# --- images, through the functions the image page calls (data check, demo) ---

def image_check(tmp_path: Path, zip_bytes: bytes, escaped: Path | None = None) -> Outcome:
    """modelkit.vision.task.load_sets, as the image page's data check calls it, on the zip as stored."""
    from modelkit.vision.task import load_sets
    from modelkit.vision.zip_safety import ImageDataError

    path = workdir(tmp_path) / "photos.zip"
    path.write_bytes(zip_bytes)
    try:
        report = load_sets(image_config(str(path)))[2]
        outcome = Outcome(tuple(report["warnings"]), refused=False)
    except ImageDataError as error:
        outcome = Outcome((str(error),), refused=True)
    except Exception:  # noqa: BLE001 - anything else is the crash this corpus counts
        return Outcome((traceback.format_exc(),), refused=False, crashed=True)
    left = files_under(app_data() / "uploads") if outcome.refused else ()
    left += (str(escaped),) if escaped is not None and escaped.exists() else ()
    return Outcome(outcome.said, outcome.refused, leftovers=left)


def demo_image(image_bytes: bytes) -> Outcome:
    """modelkit.vision.predict.open_image: what the demo (ImagePredictor.top_k) opens an upload with."""
    from modelkit.vision.predict import NotAnImageError, open_image

    try:
        open_image(image_bytes)
    except NotAnImageError as error:
        return Outcome((str(error),), refused=True)
    except Exception:  # noqa: BLE001
        return Outcome((traceback.format_exc(),), refused=False, crashed=True)
    return Outcome((), refused=False)


def a_zip_with_parent_paths(tmp_path: Path) -> Outcome:
    evil = class_zip(extra={"../../escaped.txt": b"gotcha"})
    return image_check(tmp_path, evil, escaped=tmp_path / "escaped.txt")


@pytest.fixture(scope="module")
def bomb_zip() -> bytes:
    """A 0.26 MB zip that unpacks to 256 MiB: the 1.08 MB -> 1 GiB bomb of the issue at a quarter of the size."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("cats/big.bmp", "w", force_zip64=True) as member:
            for _ in range(256):
                member.write(bytes(MIB))
        archive.writestr("dogs/small.png", png_bytes((9, 9, 9)))
    return buffer.getvalue()


def markdown_in_image_file_names(tmp_path: Path) -> Outcome:
    """A skipped file's name reaches the page's warnings: rendered as typed, never as Markdown."""
    from streamlit.testing.v1 import AppTest

    from ui.text import plain

    outcome = image_check(tmp_path, class_zip(extra={"red/**[click](evil.example)**.png": b"not an image"}))
    if outcome.refused or outcome.crashed:
        return outcome

    def page(warnings):
        from ui.models.image_view import show_report

        show_report({"classes": ["red", "blue"], "train_counts": {"red": 5, "blue": 5},
                     "val_counts": {"red": 1, "blue": 1},
                     "skipped": [], "split": "automatic", "stored_size": 16, "channels": 3, "warnings": warnings})

    at = AppTest.from_function(page, args=(list(outcome.said),)).run()
    shown = [warning.value for warning in at.warning]
    wrong = "" if shown == [plain(w) for w in outcome.said] else f"rendered as Markdown: {shown}"
    return Outcome(outcome.said, refused=False, crashed=bool(at.exception), wrong=wrong)


def one_class(tmp_path: Path) -> Outcome:
    return image_check(tmp_path, zip_of({f"ants/{i}.png": png_bytes((9, 9, 9), seed=i) for i in range(3)}))


IMAGE_CASES = [
    Case("a zip with ../ paths", a_zip_with_parent_paths, True,
         r"climbs out of its folder \('\.\./\.\./escaped\.txt'\)"),
    Case("a zip with one class folder", one_class, True, r"^found 1 class folder \('ants'\); need at least 2"),
    Case("a 12,000 x 12,000 PNG for the demo", lambda tmp_path: demo_image(black_png(12_000, 12_000)), True,
         r"12,000 x 12,000 pixels \(144 megapixels\); the limit is 24 megapixels: scale it down first"),
    Case("a file that is not an image for the demo", lambda tmp_path: demo_image(b"%PDF-1.4 a report"), True,
         r"^the upload is not an image PIL can read"),
    Case("Markdown in image file names", markdown_in_image_file_names, False,
         r"file\(s\) skipped .*red/\*\*\[click\]\(evil\.example\)\*\*\.png"),
]


# --- exports: the CLI's CSV writer (predictions of texts and zip file names typed by a person) ---

def csv_injection_in_exports(tmp_path: Path) -> Outcome:
    import pandas as pd

    from modelkit.__main__ import write_csv

    typed = ["=HYPERLINK(\"http://evil\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tindented", "fine text"]
    frame = pd.DataFrame({"text": typed, "label": ["=cmd|' /C calc'!A0"] * 6,
                          "confidence": [0.91, -0.5, 1, 0, 0.2, 0.3]})
    out = workdir(tmp_path) / "predictions.csv"
    write_csv(frame, str(out))
    with out.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    cells = [cell for row in written for cell in (row["text"], row["label"])]
    formulas = [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t"))]
    numbers_kept = [row["confidence"] for row in written] == ["0.91", "-0.5", "1.0", "0.0", "0.2", "0.3"]
    wrong = f"left as formulas: {formulas}" if formulas else "" if numbers_kept else "numbers changed"
    return Outcome((f"{len(written)} rows written, every formula cell neutralised with a leading apostrophe",),
                   refused=False, wrong=wrong)


EXPORT_CASES = [Case("text a spreadsheet would run as a formula, in a predictions CSV", csv_injection_in_exports, False,
                     r"every formula cell neutralised")]

CASES = TABLE_CASES + IMAGE_CASES + EXPORT_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_bad_input_gets_one_clear_line_and_leaves_nothing_half_written(case, tmp_path, app_data_dir, tally):
    outcome = case.run(tmp_path)
    verdict = judge(case, outcome, [str(tmp_path), str(app_data_dir), str(ROOT)])

    tally["tried"] += 1
    tally[verdict] += 1
    assert verdict == "clear", f"{case.name}: {verdict}: {outcome}"


def test_a_zip_bomb_under_the_size_cap_is_refused_and_leaves_nothing_half_written(bomb_zip, tmp_path, tally):
    """Apart from CASES only because its zip is built once for the module (a few seconds)."""
    case = Case("a zip bomb (0.26 MB -> 256 MiB)", lambda path: image_check(path, bomb_zip), True,
                r"'cats/big\.bmp' would unpack from .* to 256 MiB \([\d,]+:1\); the limit is 100:1")
    outcome = case.run(tmp_path)
    verdict = judge(case, outcome, [str(tmp_path), str(app_data())])

    tally["tried"] += 1
    tally[verdict] += 1
    assert len(bomb_zip) < MIB and verdict == "clear", f"{verdict}: {outcome}"
