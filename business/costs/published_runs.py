"""Published training runs and the utilization they imply: the evidence behind the default.

A run's implied utilization is its compute (6·N·D) over the GPU-hours it reports at the GPU's dense
peak. The Costs page shows these beside the default (`figures.UTILIZATION_LLM`, from Llama 2 7B), so
a founder sees which run the default comes from and how far the others sit from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from business import figures
from business.costs.catalog import spec_for
from business.costs.compute import SECONDS_PER_HOUR, TERA, require_positive

_LLAMA2 = "Touvron et al. 2023 (Llama 2), Table 2: GPU-hours on A100-80GB, 2.0T tokens"


@dataclass(frozen=True)
class PublishedRun:
    name: str
    parameters: float
    tokens: float
    gpu_hours: float
    gpu: str  # a spec row of gpu_specs.csv
    source: str
    precision: str = "bf16"

    @property
    def train_flops(self) -> float:
        return figures.TRAIN_FLOPS_PER_PARAM_TOKEN.value * self.parameters * self.tokens


PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    PublishedRun("Llama 2 7B", 6_738_415_616, 2.0e12, 184_320, "A100 SXM 80GB", _LLAMA2),
    PublishedRun("Llama 2 13B", 13_015_864_320, 2.0e12, 368_640, "A100 SXM 80GB", _LLAMA2),
    PublishedRun("Llama 2 70B", 68_976_648_192, 2.0e12, 1_720_320, "A100 SXM 80GB", _LLAMA2),
)


def implied_utilization(run: PublishedRun) -> float:
    """Fraction of the GPU's dense peak the run's reported GPU-hours imply."""
    hours = require_positive("gpu_hours", run.gpu_hours, 1e12)
    peak = spec_for(run.gpu).peak_tflops(run.precision)
    return run.train_flops / (hours * SECONDS_PER_HOUR * peak * TERA)


def implied_gpu_hours(run: PublishedRun, utilization: float) -> float:
    """The GPU-hours our estimator gives the run at `utilization`: compare with `run.gpu_hours`."""
    peak = spec_for(run.gpu).peak_tflops(run.precision)
    return run.train_flops / (peak * TERA * utilization) / SECONDS_PER_HOUR


def utilization_evidence(utilization: float) -> list[dict[str, object]]:
    """Each published run beside ours: its implied utilization, and our GPU-hours against its own."""
    return [{
        "run": run.name, "published GPU-hours": run.gpu_hours, "GPU": run.gpu,
        "implied utilization": implied_utilization(run),
        "ours / published GPU-hours": implied_gpu_hours(run, utilization) / run.gpu_hours,
        "source": run.source,
    } for run in PUBLISHED_RUNS]
