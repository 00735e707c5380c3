"""Compressed variants of a finished text run: distilled student, structurally pruned model, magnitude-pruned
(unstructured: zeroed weights, modelkit.sparsify) model, int8 on top.

`modelkit.text.compress.compress(run_dir, CompressRequest(method=...))` builds one variant into
`<run>/variants/<name>/` (written to a temporary folder and renamed in one step, so a cancelled or failed
job leaves nothing half-made and never touches the teacher's `model/`), then re-measures the teacher and every variant side by side
(modelkit.text.variant_rows) and stores the rows in the run card's "compression" list.
CLI: `python -m modelkit compress --run-dir RUN --method distill|prune|sparse|int8 [--layers 3 ...]`.

A variant folder holds recipe.json (method, base, settings, the seconds the method took) and, for distill,
prune and sparse, the weights as safetensors plus structure.json. An int8 variant stores no weights: dynamic int8
is a deterministic function of its base's weights, so it is rebuilt from the base on load.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from modelkit import variants as common
from modelkit.errors import CompressionRequestError
from modelkit.variants import (PROGRESS_FILE, RECIPE_FILE, TEACHER, VARIANTS_DIR, read_progress,  # noqa: F401
                               variant_dirs, write_progress)

METHODS = ("distill", "prune", "sparse", "int8")


@dataclass(frozen=True)
class CompressRequest:
    method: str
    layers: int | None = None  # distill: student layers (default: half the teacher's)
    pick: str = "every_other"  # distill: which teacher layers the student starts from (or "first")
    heads_fraction: float = 0.5  # prune: share of attention heads removed in every layer
    ffn_fraction: float = 0.5  # prune: share of FFN neurons removed in every layer
    sparsity: float = 0.5  # sparse: share of Linear weights zeroed, smallest magnitude first, across layers
    base: str = TEACHER  # int8: the model quantized (the teacher or a variant's name)
    epochs: float | None = None  # distill epochs over the run's training data (None: from the data, see below)
    recovery_epochs: float | None = None  # prune, sparse: recovery fine-tune, distilled from the unpruned teacher
    temperature: float = 2.0
    alpha: float = 0.5
    learning_rate: float = 1e-4
    batch_size: int = 32


def variant_name(request: CompressRequest) -> str:
    if request.method == "distill":
        return f"distill-{request.layers}L" + ("-first" if request.pick == "first" else "")
    if request.method == "prune":
        return f"prune-h{round(request.heads_fraction * 100)}-f{round(request.ffn_fraction * 100)}"
    if request.method == "sparse":
        return f"sparse-{round(request.sparsity * 100)}"
    return "int8-dynamic" if request.base == TEACHER else f"{request.base}+int8"


def check_finished(run_dir: Path) -> None:
    common.check_finished(run_dir, "config.json")


def load_model(run_dir: Path, name: str):
    """(model, tokenizer, labels, recipe) of the teacher or a variant, on the CPU."""
    from modelkit.text.model import load_trained_model

    if name == TEACHER:
        return (*load_trained_model(Path(run_dir) / "model"), {"method": "teacher", "name": TEACHER})
    folder, recipe = common.read_recipe(run_dir, name)
    if recipe["method"] == "int8":
        from modelkit.text.shrink import quantize_int8

        model, tokenizer, labels, _ = load_model(run_dir, recipe["base"])
        return quantize_int8(model), tokenizer, labels, recipe
    from modelkit.text.shrink import load_variant

    return (*load_variant(folder), recipe)


def _training_data(run_dir: Path, labels: list[str]):
    from modelkit.config import TrainConfig
    from modelkit.text.task import load_splits

    config = TrainConfig(**json.loads((run_dir / "model" / "train_config.json").read_text()))
    train, _ = load_splits(config)
    index = {label: i for i, label in enumerate(labels)}
    kept = [(t, index[label]) for t, label in zip(train.texts, train.labels) if label in index]
    return [t for t, _ in kept], [i for _, i in kept], config


def build_variant(run_dir: Path, request: CompressRequest, on_step=None, should_stop=None):
    """The compressed model (in memory) and its recipe; nothing written yet."""
    from modelkit.text.distill import DistillSettings, distill

    teacher, tokenizer, labels, _ = load_model(run_dir, TEACHER)
    started = time.perf_counter()
    if request.method == "int8":
        model, _, _, base_recipe = load_model(run_dir, request.base)
        if base_recipe["method"] == "int8":
            raise CompressionRequestError(f"variant {request.base!r} is already int8")
        return None, tokenizer, {"base": request.base}, time.perf_counter() - started
    texts, label_ids, config = _training_data(run_dir, labels)
    settings = DistillSettings(batch_size=request.batch_size, learning_rate=request.learning_rate,
                               temperature=request.temperature, alpha=request.alpha, max_length=config.max_length,
                               seed=config.seed, epochs=epochs_for(request, len(texts)))
    student, details = shrink(teacher, tokenizer, texts, label_ids, request, settings)
    training = distill(teacher, student, tokenizer, texts, label_ids, settings, on_step, should_stop)
    if request.method == "sparse":
        details = {**details, **sparse_sizes(teacher, student)}
    return student, tokenizer, {**details, "settings": asdict(settings), "training": training}, \
        time.perf_counter() - started


def sparse_sizes(teacher, student) -> dict:
    """Fold the masks in, then count the zeros and the compressed size of both models (same method)."""
    from modelkit.sparsify import compressed_bytes, make_permanent, zero_share

    make_permanent(student)
    return {"zero_share": round(zero_share(student), 4), "gzip_bytes": compressed_bytes(student),
            "teacher_gzip_bytes": compressed_bytes(teacher)}


def epochs_for(request: CompressRequest, train_rows: int) -> float:
    """The founder's epochs, else from the data: enough steps on a small set (modelkit.defaults)."""
    from modelkit.defaults import MIN_DISTILL_STEPS, MIN_RECOVERY_STEPS, compression_epochs

    if request.method == "distill":
        return request.epochs or compression_epochs(train_rows, request.batch_size, MIN_DISTILL_STEPS, 3.0)
    return request.recovery_epochs or compression_epochs(train_rows, request.batch_size, MIN_RECOVERY_STEPS, 1.0)


def shrink(teacher, tokenizer, texts, label_ids, request: CompressRequest, settings):
    """The student before its (recovery) training: fewer layers, or fewer heads and neurons."""
    from modelkit.text.distill import encoded_batches
    from modelkit.text.shrink import (prune_by_importance, student_from_teacher, student_layers,
                                      taylor_importance)

    teacher_layers = teacher.config.num_hidden_layers
    if request.method == "distill":
        keep = student_layers(teacher_layers, request.layers or max(1, teacher_layers // 2), request.pick)
        return student_from_teacher(teacher, keep), {"teacher_layers_kept": keep}
    import copy

    pruned = copy.deepcopy(teacher)
    if request.method == "sparse":
        from modelkit.sparsify import mask_smallest

        covered = mask_smallest(pruned, request.sparsity)
        return pruned, {"importance": "weight magnitude |w|, global over every Linear layer but the classifier",
                        "weights_covered": covered}
    # importance from a few hundred training texts: enough to rank units, cheap next to the recovery
    batches = encoded_batches(tokenizer, texts, label_ids, 16, settings.max_length, settings.seed, 0)[:16]
    prune_by_importance(pruned, request.heads_fraction, request.ffn_fraction, taylor_importance(pruned, batches))
    return pruned, {"importance": "first-order Taylor |w·grad| on up to 256 training texts"}


def check_request(run_dir: Path, request: CompressRequest) -> None:
    from modelkit.text.shrink import check_fraction

    if request.method not in METHODS:
        raise CompressionRequestError(f"method {request.method!r} must be one of {', '.join(METHODS)}")
    check_finished(run_dir)
    if request.method == "prune":
        check_fraction("heads fraction", request.heads_fraction)
        check_fraction("FFN fraction", request.ffn_fraction)
    if request.method == "sparse":
        from modelkit.sparsify import check_sparsity

        check_sparsity(request.sparsity)
    if request.method == "distill" and request.layers is not None:
        from modelkit.text.shrink import student_layers
        from transformers import AutoConfig

        teacher_layers = AutoConfig.from_pretrained(run_dir / "model", local_files_only=True).num_hidden_layers
        student_layers(teacher_layers, request.layers, request.pick)


def store_variant(run_dir: Path, name: str, model, tokenizer, recipe: dict) -> Path:
    """Written whole or not at all (modelkit.variants.store_variant); an int8 variant stores no weights."""
    from modelkit.text.shrink import save_variant

    return common.store_variant(run_dir, name, recipe,
                                None if model is None else lambda folder: save_variant(model, tokenizer, folder))


def validation_texts(run_dir: Path) -> tuple[list[str], list[str]]:
    from modelkit.text.task import load_splits
    from modelkit.train import TrainConfig

    config = TrainConfig(**json.loads((run_dir / "model" / "train_config.json").read_text()))
    _, val = load_splits(config)
    return val.texts, val.labels
