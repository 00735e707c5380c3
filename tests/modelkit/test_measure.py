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


class Stalling(torch.nn.Module):
    """Takes 5 ms, except every `every`-th call, which stalls 50 ms, as when other work takes the CPU."""

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every, self.calls = every, 0

    def forward(self, x):
        import time

        self.calls += 1
        time.sleep(0.05 if self.every and self.calls % self.every == 0 else 0.005)
        return x


def test_a_row_stalled_by_other_work_is_timed_again_and_flagged_when_it_stays_noisy():
    from modelkit.variants import timing_fields

    steady, stalling = Stalling(every=0), Stalling(every=3)
    batch = {"x": torch.ones(1)}
    batches = {"steady": batch, "stalling": batch}

    fields = timing_fields({"steady": steady, "stalling": stalling}, batches, batches, repeats=20, attempts=2)

    assert fields["stalling"]["noisy"] and not fields["steady"]["noisy"]
    assert fields["stalling"]["latency_ms_p95"] > 2 * fields["stalling"]["latency_ms_p50"]
    assert steady.calls == 2 * (2 + 20 + 1 + 5)  # two attempts: warm-up and timed calls at batch 1 and 32
    assert fields["steady"]["cpu_cores"] >= 1 and fields["steady"]["load_average"] >= 0


def test_quiet_rows_are_timed_once_and_not_flagged():
    from modelkit.variants import timing_fields

    steady = Stalling(every=0)
    batches = {"steady": {"x": torch.ones(1)}}

    fields = timing_fields({"steady": steady}, batches, batches, repeats=10, attempts=3)

    assert not fields["steady"]["noisy"] and steady.calls == 2 + 10 + 1 + 3
