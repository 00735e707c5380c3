"""Callbacks of the History page: restore a version, keep or discard a refused draft."""
from __future__ import annotations

from business.store import StaleSaveError, StoreError, UnchangedSaveError
from ui.session import CANVAS, base_version, flash, get_store


def restore_version(project_id: int, number: int) -> None:
    try:
        new = get_store().restore(project_id, CANVAS, number, base_version(project_id, CANVAS))
    except UnchangedSaveError as error:
        flash(f"Version {number} holds what the latest version holds: nothing to restore. ({error})", "info")
        return
    except (StaleSaveError, StoreError) as error:
        flash(str(error), "error")
        return
    flash(f"Version {number} restored as version {new}.")


def keep_draft(project_id: int, draft_id: int) -> None:
    """Save a refused draft on top of the latest version (the user has seen both on the page)."""
    store = get_store()
    draft = next((d for d in store.drafts(project_id, CANVAS) if d.id == draft_id), None)
    if draft is None:
        flash(f"Draft #{draft_id} is gone (kept or discarded in another tab).", "warning")
        return
    new = stale = None
    try:
        with store.transaction():  # the new version and the draft's removal commit together, or neither does
            try:
                new = store.save(project_id, CANVAS, draft.payload, base_version(project_id, CANVAS),
                                 f"Kept draft #{draft_id}", refuse_unchanged=True)
            except StaleSaveError as error:
                stale = error  # the store kept the text as a new draft: that one commits
            else:
                store.discard_draft(draft_id)
    except UnchangedSaveError:
        discard_draft(draft_id, f"Draft #{draft_id} holds what the latest version holds: nothing to save, the "
                                "draft is discarded.")
        return
    except StoreError as error:  # a full or read-only data folder: nothing changed
        flash(str(error), "error")
        return
    if stale:
        flash(str(stale), "error")
    else:
        flash(f"Draft #{draft_id} saved as version {new}; the version it replaced stays in the history.")


def discard_draft(draft_id: int, done: str = "") -> None:
    try:
        get_store().discard_draft(draft_id)
    except StoreError as error:  # a full or read-only data folder: the draft stays
        flash(str(error), "error")
        return
    flash(done or f"Draft #{draft_id} discarded.", "info" if done else "success")
