"""Checkpoints without pickles, written so that a crash never leaves a half-written one to load.

The model goes through save_pretrained (safetensors), optimizer tensors into a safetensors file, and
everything else (optimizer groups, scheduler, loop state, training config) into JSON. Each save writes a
new sibling folder (`last.<token>/`, `model.<token>/`), ends it with `manifest.json` (every file's size
and SHA-256), syncs it to disk, and only then points the name (`checkpoints/last`, `model`) at it by
renaming a symlink over the old one: an atomic switch, so readers see the old folder or the new one,
never a mix. A crash mid-save leaves the old link in place and an orphan folder the next save removes.

`save_checkpoint(folder, ...)` writes one; `load_checkpoint(folder, model, optimizer, scheduler)` checks
the manifest, restores it in place and returns the loop state dict. Called by `modelkit.train` on the
main process.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from modelkit.errors import DataError

OPTIMIZER_TENSORS = "optimizer.safetensors"
OPTIMIZER_JSON = "optimizer.json"
SCHEDULER_JSON = "scheduler.json"
STATE_JSON = "train_state.json"
CONFIG_JSON = "train_config.json"
MANIFEST_JSON = "manifest.json"


class CheckpointError(DataError):
    """A checkpoint that does not match its manifest (or has none); the message says which file and why."""


def save_model(folder: Path, model, processor, config_dict: dict) -> None:
    """The model, its tokenizer/processor and the training config, as a self-contained folder (switched
    in atomically: a reader of `folder` never sees a half-written model)."""
    with staged(Path(folder)) as stage:
        write_model(stage, model, processor, config_dict)


def write_model(folder: Path, model, processor, config_dict: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "save_pretrained"):
        model.save_pretrained(folder, safe_serialization=True)
    else:
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))
    if processor is not None and hasattr(processor, "save_pretrained"):
        processor.save_pretrained(folder)
    write_json(folder / CONFIG_JSON, config_dict)


def save_checkpoint(folder: Path, model, processor, optimizer, scheduler, state: dict, config_dict: dict) -> None:
    with staged(Path(folder)) as stage:
        write_model(stage, model, processor, config_dict)
        tensors, layout = flatten_optimizer_state(optimizer.state_dict())
        save_file(tensors, str(stage / OPTIMIZER_TENSORS))
        write_json(stage / OPTIMIZER_JSON, layout)
        write_json(stage / SCHEDULER_JSON, scheduler.state_dict())
        write_json(stage / STATE_JSON, state)


def load_checkpoint(folder: Path, model, optimizer, scheduler) -> dict:
    from safetensors.torch import load_model

    verify(folder)
    load_model(model, str(folder / "model.safetensors"), strict=False)
    layout = json.loads((folder / OPTIMIZER_JSON).read_text())
    tensors = load_file(str(folder / OPTIMIZER_TENSORS))
    optimizer.load_state_dict(unflatten_optimizer_state(tensors, layout))
    scheduler.load_state_dict(json.loads((folder / SCHEDULER_JSON).read_text()))
    return json.loads((folder / STATE_JSON).read_text())


def has_checkpoint(folder: Path) -> bool:
    """A checkpoint folder is there (complete or not: `verify` says which)."""
    return (Path(folder) / STATE_JSON).exists() or (Path(folder) / MANIFEST_JSON).exists()


def verify(folder: Path) -> dict:
    """The manifest, after checking every file it lists; CheckpointError naming the first mismatch."""
    folder = Path(folder)
    path = folder / MANIFEST_JSON
    if not path.exists():
        raise CheckpointError(f"{folder.name}/ has no {MANIFEST_JSON}: it was cut short or written by an older "
                              "version, so it is not loaded")
    manifest = json.loads(path.read_text())
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.is_file():
            raise CheckpointError(f"{folder.name}/{name} is missing; the checkpoint is not loaded")
        size = file.stat().st_size
        if size != expected["bytes"] or file_sha256(file) != expected["sha256"]:
            raise CheckpointError(f"{folder.name}/{name} does not match the manifest ({size:,} bytes, "
                                  f"{expected['bytes']:,} expected); the checkpoint is not loaded")
    return manifest


@contextmanager
def staged(target: Path):
    """Yield a fresh folder beside `target`; on success write its manifest, sync it and switch `target`
    to it; on failure leave `target` as it was (the next save removes the orphan)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(target)
    stage = target.with_name(f"{target.name}.{secrets.token_hex(4)}")
    stage.mkdir()
    yield stage
    write_manifest(stage)
    switch(target, stage)


def write_manifest(folder: Path) -> None:
    files = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        files[str(file.relative_to(folder))] = {"bytes": file.stat().st_size, "sha256": file_sha256(file)}
        fsync_path(file)
    write_json(folder / MANIFEST_JSON, {"format": 1, "files": files})
    fsync_path(folder / MANIFEST_JSON)
    fsync_path(folder)


def switch(target: Path, stage: Path) -> None:
    """Point `target` (a relative symlink) at `stage` with one rename, then delete what it pointed at."""
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():  # a real folder from before atomic saves
        retired = target.with_name(f"{target.name}.{secrets.token_hex(4)}")
        target.rename(retired)
        previous = retired
    link = target.with_name(f".{target.name}.link-{secrets.token_hex(4)}")
    link.symlink_to(stage.name, target_is_directory=True)
    os.replace(link, target)  # the atomic switch
    fsync_path(target.parent)
    if previous is not None and previous != stage.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def remove_orphans(target: Path) -> None:
    """Folders of saves that never switched (a crash mid-save), and links left by a crash mid-switch."""
    current = target.resolve() if target.is_symlink() else None
    for sibling in target.parent.glob(f"{target.name}.*"):
        if sibling.is_dir() and not sibling.is_symlink() and sibling.resolve() != current:
            shutil.rmtree(sibling, ignore_errors=True)
    for link in target.parent.glob(f".{target.name}.link-*"):
        link.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_path(path: Path) -> None:
    # A rename is only durable once the data and the directory entry are on disk (power loss, not kill -9).
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def flatten_optimizer_state(state_dict: dict) -> tuple[dict[str, torch.Tensor], dict]:
    tensors, scalars = {}, {}
    for param_id, param_state in state_dict["state"].items():
        for key, value in param_state.items():
            name = f"{param_id}.{key}"
            if torch.is_tensor(value):
                tensors[name] = value.detach().cpu().contiguous()
            else:
                scalars[name] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalars": scalars}


def unflatten_optimizer_state(tensors: dict[str, torch.Tensor], layout: dict) -> dict:
    state: dict[int, dict] = {}
    for name, value in list(tensors.items()) + list(layout["scalars"].items()):
        param_id, key = name.split(".", 1)
        state.setdefault(int(param_id), {})[key] = value
    return {"state": state, "param_groups": layout["param_groups"]}


def write_json(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    tmp.replace(path)  # atomic: a reader never sees half a file
