"""Command line for everything the model pages do.

  python -m modelkit train --run-dir RUN --project ID [--data FILE] [--model bundled] [--epochs 3] [--max-steps N] ...
  accelerate launch --multi_gpu --num_processes 2 -m modelkit train --run-dir RUN --device cpu ...
  python -m modelkit eval --run-dir RUN
  python -m modelkit predict --run-dir RUN (--text "..." ... | --csv FILE [--out preds.csv])
  python -m modelkit predict --run-dir RUN (--image a.png ... | --zip images.zip [--out preds.csv])  # image runs
  python -m modelkit train --task image --data digits|DIR|ZIP
      [--model auto|small_cnn|efficientnet_lite0|resnet18|mobilenet_v3_small|shufflenet_v2_x1_0]  # auto: for the data
  python -m modelkit compress --run-dir RUN     # fp32 vs int8 (fp16 on GPU), as before
  python -m modelkit compress --run-dir RUN --method distill [--layers 3] [--epochs N (default: from the data)]   # text runs
  python -m modelkit compress --run-dir RUN --method prune [--heads-fraction 0.5 --ffn-fraction 0.5]
  python -m modelkit compress --run-dir RUN --method sparse [--sparsity 0.5]   # zeroed weights: smaller zipped, not faster
  python -m modelkit compress --run-dir RUN --method int8 [--base distill-3L]
  python -m modelkit compress --run-dir RUN --measure-only   # every row timed again, nothing rebuilt
  python -m modelkit compress --run-dir IMAGE_RUN --method prune [--channels-fraction 0.5]   # small CNN runs
  python -m modelkit compress --run-dir IMAGE_RUN --method int8 [--base prune-c50]          # static int8
  python -m modelkit check --data FILE         # the data report, as JSON
  python -m modelkit compare --data DIR|ZIP|digits [--epochs 2]   # image models side by side (queued jobs)
--project is the id of the app's project the run belongs to (the model pages show it); a run without
one is listed on no project until it is adopted on a model page. Every TrainConfig field is a flag
(--batch-size, --learning-rate, ...). Data and file errors exit with status 2 and a one-line message,
never a traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from modelkit.errors import CompressionCancelled, DataError


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    from modelkit.config import TrainConfig

    for field in dataclasses.fields(TrainConfig):
        if field.name == "label_names":
            continue
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool", bool):
            parser.add_argument(flag, action="store_true", default=field.default)
            continue
        kind = {"int": int, "float": float, "int | None": int, "float | None": float}.get(str(field.type), str)
        parser.add_argument(flag, type=kind, default=field.default)
    parser.add_argument("--data", dest="data_path", default="")


def project_number(text: str) -> int:
    from modelkit.runs import project_id_or_none

    number = project_id_or_none(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"--project {text!r} must be a project id, a positive whole number")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m modelkit", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model into a run folder")
    add_config_flags(train)
    train.add_argument("--model", dest="model_name", default="bundled")
    train.add_argument("--run-dir", required=True)
    train.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    train.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"])
    train.add_argument("--resume", action="store_true")
    train.add_argument("--project", type=project_number, default=None, metavar="ID",
                       help="id of the project this run belongs to (shown on the model pages)")
    train.add_argument("--no-finalize", action="store_true")
    train.add_argument("--no-progress", action="store_true")
    commands.add_parser("eval").add_argument("--run-dir", required=True)
    add_compress_flags(commands.add_parser("compress", help="measure int8, or build and measure a compressed variant"))
    predict = commands.add_parser("predict")
    predict.add_argument("--run-dir", required=True)
    predict.add_argument("--text", action="append", default=[])
    predict.add_argument("--csv")
    predict.add_argument("--out")
    predict.add_argument("--image", action="append", default=[])
    predict.add_argument("--zip")
    predict.add_argument("--text-column", default=None, help="the column of --csv holding the texts")
    from modelkit.vision.compare_cli import add_compare_flags

    add_compare_flags(commands.add_parser("compare", help="train every image model available here on the same "
                                          "data and budget, then measure them side by side"), project_number)
    check = commands.add_parser("check")
    check.add_argument("--data", default="")
    check.add_argument("--model", default="bundled")
    check.add_argument("--task", default="text", choices=["text", "image"])
    check.add_argument("--text-column", default=None)
    check.add_argument("--label-column", default=None)
    return parser


def add_compress_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--method", choices=["distill", "prune", "sparse", "int8"], default=None,
                        help="build this variant: distill|prune|sparse|int8 for text runs, prune|int8 for image runs "
                             "(without it: fp32 against int8, as before)")
    parser.add_argument("--layers", type=int, default=None, help="distill: student layers (default half)")
    parser.add_argument("--pick", choices=["every_other", "first"], default="every_other")
    parser.add_argument("--heads-fraction", type=float, default=0.5, help="prune: share of heads removed")
    parser.add_argument("--ffn-fraction", type=float, default=0.5, help="prune: share of FFN neurons removed")
    parser.add_argument("--sparsity", type=float, default=0.5,
                        help="sparse: share of Linear weights zeroed, smallest magnitude first (unstructured)")
    parser.add_argument("--channels-fraction", type=float, default=0.5,
                        help="prune, image runs: share of every convolution's channels removed")
    parser.add_argument("--base", default="teacher", help="int8: the teacher or a variant's name")
    parser.add_argument("--epochs", type=float, default=None,
                        help="distill epochs (default: from the data, at least 3 and about 150 steps)")
    parser.add_argument("--recovery-epochs", type=float, default=None,
                        help="prune, sparse: recovery fine-tune epochs (default: from the data, at least 1 and about 40 steps)")
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument("--alpha", type=float, default=0.5, help="weight of the teacher's soft labels")
    parser.add_argument("--repeats", type=int, default=20, help="timed forward passes per row at batch 1")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--measure-only", action="store_true",
                        help="time and score every row again, building nothing (after a measurement on a busy machine)")


def run_compress(args) -> int:
    if args.measure_only:
        print(json.dumps(measure_all_rows(args.run_dir, args.repeats), indent=2))
        return 0
    if args.method is None:
        from modelkit.text.compress import compress_run
        from modelkit.vision.compress import compress_run as compress_image_run

        compress = compress_image_run if run_task(args.run_dir) == "image" else compress_run
        print(json.dumps(compress(args.run_dir), indent=2))
        return 0
    import signal

    stop = {"asked": False}
    # a cancel from the job queue is SIGTERM: stop between steps so nothing half-written is left
    signal.signal(signal.SIGTERM, lambda *_: stop.update(asked=True))
    if run_task(args.run_dir) == "image":
        from modelkit.vision.compress import compress
        from modelkit.vision.variants import ImageCompressRequest

        recovery = {} if args.recovery_epochs is None else {"recovery_epochs": args.recovery_epochs}
        request = ImageCompressRequest(method=args.method, channels_fraction=args.channels_fraction, base=args.base,
                                       temperature=args.temperature, alpha=args.alpha, **recovery)
    else:
        from modelkit.text.compress import compress
        from modelkit.text.variants import CompressRequest

        request = CompressRequest(method=args.method, layers=args.layers, pick=args.pick, base=args.base,
                                  heads_fraction=args.heads_fraction, ffn_fraction=args.ffn_fraction,
                                  sparsity=args.sparsity,
                                  epochs=args.epochs, recovery_epochs=args.recovery_epochs,
                                  temperature=args.temperature, alpha=args.alpha)
    rows = compress(args.run_dir, request, progress=compress_bar(not args.no_progress),
                    should_stop=lambda: stop["asked"], repeats=args.repeats)
    print(json.dumps(rows, indent=2))
    return 0


def measure_all_rows(run_dir: str, repeats: int) -> list[dict]:
    from modelkit import variants

    if run_task(run_dir) == "image":
        from modelkit.vision.variant_rows import measure_and_store

        def check(folder):
            variants.check_finished(folder, "model.safetensors")
    else:
        from modelkit.text.variant_rows import measure_and_store
        from modelkit.text.variants import check_finished as check
    return variants.measure_again(Path(run_dir), check, lambda: measure_and_store(run_dir, repeats=repeats))


def compress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="step", file=sys.stderr)

    def on_progress(report: dict) -> None:
        if bar.total != report["total"]:
            bar.reset(total=report["total"])
            bar.set_description(report["variant"])
        bar.n = report["step"]
        bar.set_postfix(loss=report.get("loss"))
        bar.refresh()

    return on_progress


def progress_callback(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="step", file=sys.stderr)

    def on_event(event: dict) -> None:
        if event["type"] == "start":
            bar.reset(total=event["total_steps"])
        elif event["type"] == "step":
            bar.n = event["step"]
            bar.set_postfix(loss=event["loss"], eta_s=event["eta_s"])
        elif event["type"] in ("eval", "oom_retry", "early_stop", "cancelled"):
            bar.write(json.dumps(event))
        bar.refresh()

    return on_event


def check_data_early(args) -> None:
    """Reject a bad table before the slow torch/transformers imports, so the user hears at once."""
    from modelkit.text.data import load_text_table

    for path in filter(None, [args.data_path, args.val_path]):
        table = load_text_table(path, text_column=args.text_column, label_column=args.label_column)
        say_columns(path, table.columns_how)


def say_columns(path, how: str) -> None:
    """Which columns a command used and how they were chosen: a guess is checked by the person reading it."""
    print(f"columns of {path}: {how}", file=sys.stderr)


def run_train(args) -> int:
    from modelkit.config import TrainConfig
    from modelkit.train import RunOptions, train

    names = {field.name for field in dataclasses.fields(TrainConfig)}
    config = TrainConfig(**{key: value for key, value in vars(args).items() if key in names})
    Path(args.run_dir).mkdir(parents=True, exist_ok=True)
    if args.project is not None:
        from modelkit.runs import write_run_project

        write_run_project(args.run_dir, args.project)
    options = RunOptions(run_dir=args.run_dir, device=args.device, precision=args.precision, resume=args.resume,
                         finalize=not args.no_finalize, event_callback=progress_callback(not args.no_progress))
    summary = train(config, options)
    card = summary.get("run_card")
    if card:
        print(json.dumps({"metrics": {k: card["metrics"][k] for k in ("accuracy", "macro_f1")},
                          "run_dir": args.run_dir}))
    return 0


def run_task(run_dir: str) -> str:
    """The task a trained run belongs to, from the config saved with its model."""
    path = Path(run_dir) / "model" / "train_config.json"
    return json.loads(path.read_text()).get("task", "text") if path.exists() else "text"


def run_predict_images(args) -> int:
    from modelkit.vision.predict import ImagePredictor

    predictor = ImagePredictor.from_run(args.run_dir)
    if args.zip:
        write_csv(predictor.predict_zip(Path(args.zip).read_bytes()), args.out)
        return 0
    for path in args.image:
        data = Path(path).read_bytes()
        # what the model saw (size, grey or colour, inverted or not), so a surprising answer explains itself
        print(json.dumps({"image": path, "top_k": predictor.top_k(data), "model_input": predictor.model_view(data)[1]}))
    return 0


def run_predict(args) -> int:
    from modelkit.text.predict import Predictor

    if run_task(args.run_dir) == "image":
        return run_predict_images(args)
    predictor = Predictor.from_run(args.run_dir)
    if args.csv:
        frame = predictor.predict_table(Path(args.csv).read_bytes(), args.csv, text_column=args.text_column)
        say_columns(args.csv, frame.attrs.get("columns_how", ""))
    else:
        frame = predictor.predict(args.text)
    write_csv(frame, args.out)
    return 0


def write_csv(frame, out: str | None) -> None:
    """Predictions as CSV (to --out, else stdout), text cells a spreadsheet would run as formulas neutralised."""
    from business.csv_safety import neutral_frame

    text = neutral_frame(frame).to_csv(index=False)
    if out:
        Path(out).write_text(text)
    else:
        print(text)


def run_check(args) -> int:
    if args.task == "image":
        from modelkit.config import TrainConfig
        from modelkit.vision.sources import check_images

        print(json.dumps(check_images(TrainConfig(task="image", model_name=args.model, data_path=args.data)), indent=2))
        return 0
    from modelkit.text.data import check_text_data, load_text_table, split_train_val
    from modelkit.paths import example_dataset_path
    from modelkit.text.tokens import length_tokenizer

    path = args.data or example_dataset_path()
    table = load_text_table(path, text_column=args.text_column, label_column=args.label_column)
    say_columns(path, table.columns_how)
    train, val = split_train_val(table)
    # the same token counts as the model's tokenizer, from its tokenizer.json: no torch, as on the page
    print(json.dumps(check_text_data(train, val, length_tokenizer(args.model)).to_dict(), indent=2))
    return 0


def quiet_libraries() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the CLI reports through events, not library warnings
    hf_logging.disable_progress_bar()


def run_command(args) -> int:
    if args.command == "train" and args.task == "text":
        check_data_early(args)
    if args.command != "check":  # a text check loads no model library: it answers in a second or two
        quiet_libraries()
    if args.command == "train":
        return run_train(args)
    if args.command == "eval":
        from modelkit.tasks import get_task

        print(json.dumps(get_task(run_task(args.run_dir)).evaluate_run(Path(args.run_dir)), indent=2))
        return 0
    if args.command == "predict":
        return run_predict(args)
    if args.command == "compress":
        return run_compress(args)
    if args.command == "compare":
        from modelkit.vision.compare_cli import run_compare

        return run_compare(args)
    return run_check(args)


def run_lock(args):
    """Commands that write into a run folder hold its lock while they live (modelkit.liveness): the job
    queue then knows the real process state, and two processes never write one run. Under accelerate,
    rank 0 holds it for all ranks."""
    from contextlib import nullcontext

    from modelkit.liveness import hold_run_lock

    if args.command not in ("train", "eval", "compress") or os.environ.get("RANK", "0") != "0":
        return nullcontext()
    return hold_run_lock(args.run_dir, args.command)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with run_lock(args):
            return run_command(args)
    except CompressionCancelled as error:
        print(f"cancelled: {error}", file=sys.stderr)
        return 3
    except (DataError, ValueError, OSError) as error:  # OSError: missing, unreadable or unwritable files
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
