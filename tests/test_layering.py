"""The layers hold: business/ is pure Python, the modelkit core never imports a task, nothing imports up.

Each check imports every module of a layer in a fresh interpreter and reads `sys.modules`, so an import
hidden inside a module's top level (or pulled in by another module) is caught, not only a direct one.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK_PACKAGES = ("modelkit.text", "modelkit.vision")


def modules_under(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return [name for name in names if name != "modelkit.__main__"]


def loaded_after_importing(modules: list[str]) -> set[str]:
    code = ("import json, sys\n" + "".join(f"import {name}\n" for name in modules)
            + "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def top_level(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(module for module in loaded if module.split(".")[0] in names)


def test_business_imports_neither_streamlit_nor_torch_nor_a_higher_layer():
    loaded = loaded_after_importing(modules_under("business"))

    heavy = top_level(loaded, ("streamlit", "torch", "torchvision", "transformers"))
    higher = top_level(loaded, ("modelkit", "ui", "pages"))

    assert heavy == [] and higher == []


def test_the_modelkit_core_never_imports_a_task_nor_streamlit():
    core = [name for name in modules_under("modelkit") if not name.startswith(TASK_PACKAGES)]
    assert "modelkit.train" in core and "modelkit.jobs" in core

    loaded = loaded_after_importing(core)

    assert sorted(name for name in loaded if name.startswith(TASK_PACKAGES)) == []
    assert top_level(loaded, ("streamlit", "ui", "pages")) == []


def test_each_task_imports_the_core_but_never_the_other_task():
    for task, other in (("modelkit.text", "modelkit.vision"), ("modelkit.vision", "modelkit.text")):
        loaded = loaded_after_importing(modules_under(task))

        assert sorted(name for name in loaded if name.startswith(other)) == [], task
        assert top_level(loaded, ("streamlit", "ui", "pages")) == [], task


def test_ui_helpers_never_import_a_page():
    loaded = loaded_after_importing(modules_under("ui"))

    assert top_level(loaded, ("pages",)) == []
