"""modelkit.measure: latencies are taken the way a server runs a model, alternating between models."""
from __future__ import annotations

import torch

from modelkit.measure import alternating_latency


class Recorder(torch.nn.Module):
    """A linear layer that notes, at each forward, whether autograd would have recorded it."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)
        self.seen: list[bool] = []

    def forward(self, x):
        out = self.linear(x)
        self.seen.append(out.requires_grad)
        return out


def test_models_are_timed_without_building_an_autograd_graph_and_in_turn():
    first, second = Recorder(), Recorder()
    batch = {"x": torch.ones(1, 4)}

    timings = alternating_latency({"first": first, "second": second}, {"first": batch, "second": batch},
                                  repeats=5, warmup=1)

    assert first.seen == [False] * 6 and second.seen == [False] * 6  # warm-up + 5 timed, none recorded
    assert [len(timings["first"]), len(timings["second"])] == [5, 5]
    assert all(ms > 0 for ms in timings["first"] + timings["second"])
