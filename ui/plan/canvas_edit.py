"""Save an edit of the canvas the way every page does: on top of the version the user saw."""
from __future__ import annotations

import sqlite3
from typing import Callable

from business.canvas.model import Canvas, CanvasError
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.store import StaleSaveError, StoreError, UnchangedSaveError
from ui.session import CANVAS, base_version, flash, get_store


def apply_canvas_edit(project_id: int, edit: Callable[[Canvas], Canvas], message: str) -> bool:
    """Apply `edit` to the canvas version this session showed and save it as a new version.

    Runs in a widget callback, before the rerun, so the base is what the user was looking at.
    Returns True when saved; otherwise a flash message says why and nothing is lost.
    """
    store = get_store()
    base = base_version(project_id, CANVAS)
    try:
        seen = canvas_from_dict(store.load_version(project_id, CANVAS, base).payload) if base else Canvas()
        number = store.save(project_id, CANVAS, canvas_to_dict(edit(seen)), base, message, refuse_unchanged=True)
    except UnchangedSaveError:
        flash(f"Nothing changed, so no new version was saved: version {base} stays the latest.", "info")
        return False
    except StaleSaveError as error:
        flash(f"{error} Open History to compare the two and keep yours.", "error")
        return False
    except (CanvasError, StoreError) as error:
        flash(str(error), "error")
        return False
    except sqlite3.Error as error:
        # The transaction rolled back: the previous version is intact, the user's input is still in the form.
        flash(f"Could not save ({error}); nothing was changed, your input is still in the form.", "error")
        return False
    flash(f"Saved as version {number}: {message}.")
    return True
