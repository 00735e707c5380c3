"""AppTest of the Import button with hostile files: one clear error naming the file, no traceback, no new project."""
import json

import pytest

from business.canvas.json_io import canvas_from_dict
from business.example_project import EXAMPLE_CANVAS
from business.project_file import ProjectFile, export_project
from tests.apptest_helpers import open_app, submit
from ui.text import plain


def with_canvas_key() -> bytes:
    document = json.loads(export_project(ProjectFile("Evil Co", canvas_from_dict(EXAMPLE_CANVAS))))
    document["canvas"]["value_propositions"][0]["canvas"] = {"blocks": {}}
    return json.dumps(document).encode()


@pytest.mark.parametrize("raw, says", [
    (b'{"schema_version": 2, "project": "x", "canvas": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
     "levels deep; the limit is 20"),
    (with_canvas_key(), "canvas.value_propositions[0].canvas: is not a field of this format"),
], ids=["nested 50,000 deep", "a proposition with a key named canvas"])
def test_a_hostile_import_file_is_refused_naming_the_file_and_the_field(raw, says, app_data_dir):
    at = open_app("pages/import_export.py")
    at.file_uploader(key="import_file").upload("hostile.json", raw, "application/json").run()
    submit(at, "Import")

    [error] = at.error
    assert error.value.startswith(plain("Nothing was imported from hostile.json."))  # shown as text, escaped
    assert plain(says) in error.value
    assert str(app_data_dir) not in error.value
    assert len(at.sidebar.selectbox(key="project_id").options) == 1
