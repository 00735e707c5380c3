"""ImageNet weights: downloaded by torchvision into the torch cache when their server answers (a loopback
server here), random initialisation said plainly when it does not. Nothing beyond 127.0.0.1 is contacted.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import threading
import time

import pytest
import torch
import torch.hub
import torchvision
from torchvision.models import Weights, WeightsEnum

from modelkit.vision.model import cached_weights_path, pretrained_state


@pytest.fixture
def weights_server(tmp_path):
    """A loopback server holding a ResNet-18 state dict under a name carrying its sha256 prefix, as torchvision's do."""
    served = tmp_path / "served"
    served.mkdir()
    reference = torchvision.models.resnet18()
    buffer = io.BytesIO()
    torch.save(reference.state_dict(), buffer)
    file_name = f"resnet18-{hashlib.sha256(buffer.getvalue()).hexdigest()[:8]}.pth"
    (served / file_name).write_bytes(buffer.getvalue())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{file_name}", reference
    server.shutdown()
    server.server_close()


def weights_at(url: str):
    class LoopbackWeights(WeightsEnum):
        IMAGENET1K_V1 = Weights(url=url, transforms=None, meta={})

    return LoopbackWeights.IMAGENET1K_V1


def test_weights_are_downloaded_into_the_torch_cache_when_their_server_answers(weights_server, tmp_path, monkeypatch):
    url, reference = weights_server
    monkeypatch.delenv("APP_OFFLINE")
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch_cache"))
    weights = weights_at(url)

    state, note = pretrained_state(weights, use_cache=True)

    assert "downloaded into the local torch cache" in note and cached_weights_path(weights).exists()
    assert torch.equal(state["conv1.weight"], reference.conv1.weight)


def test_offline_weights_mean_random_initialisation_said_plainly_and_quickly(weights_server, tmp_path, monkeypatch):
    url, _ = weights_server
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch_cache"))
    started = time.monotonic()

    state, note = pretrained_state(weights_at(url), use_cache=True)

    assert state is None and "cannot be reached" in note and "random initialisation" in note
    assert time.monotonic() - started < 5
