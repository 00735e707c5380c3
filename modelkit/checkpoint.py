"""Checkpoints without pickles: model via save_pretrained (safetensors), optimizer tensors in a
safetensors file, everything else (optimizer groups, scheduler, loop state, training config) in JSON.

`save_checkpoint(folder, ...)` writes one; `load_checkpoint(folder, model, optimizer, scheduler)`
restores it in place and returns the loop state dict. Called by `modelkit.train` on the main process.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

OPTIMIZER_TENSORS = "optimizer.safetensors"
OPTIMIZER_JSON = "optimizer.json"
SCHEDULER_JSON = "scheduler.json"
STATE_JSON = "train_state.json"
CONFIG_JSON = "train_config.json"


def save_model(folder: Path, model, processor, config_dict: dict) -> None:
    """The model, its tokenizer/processor and the training config, as a self-contained folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "save_pretrained"):
        model.save_pretrained(folder, safe_serialization=True)
    else:
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))
    if processor is not None and hasattr(processor, "save_pretrained"):
        processor.save_pretrained(folder)
    write_json(folder / CONFIG_JSON, config_dict)


def save_checkpoint(folder: Path, model, processor, optimizer, scheduler, state: dict, config_dict: dict) -> None:
    save_model(folder, model, processor, config_dict)
    tensors, layout = flatten_optimizer_state(optimizer.state_dict())
    save_file(tensors, str(folder / OPTIMIZER_TENSORS))
    write_json(folder / OPTIMIZER_JSON, layout)
    write_json(folder / SCHEDULER_JSON, scheduler.state_dict())
    # the state file is written last: its presence marks a complete checkpoint
    write_json(folder / STATE_JSON, state)


def load_checkpoint(folder: Path, model, optimizer, scheduler) -> dict:
    from safetensors.torch import load_model

    load_model(model, str(folder / "model.safetensors"), strict=False)
    layout = json.loads((folder / OPTIMIZER_JSON).read_text())
    tensors = load_file(str(folder / OPTIMIZER_TENSORS))
    optimizer.load_state_dict(unflatten_optimizer_state(tensors, layout))
    scheduler.load_state_dict(json.loads((folder / SCHEDULER_JSON).read_text()))
    return json.loads((folder / STATE_JSON).read_text())


def has_checkpoint(folder: Path) -> bool:
    return (folder / STATE_JSON).exists()


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
