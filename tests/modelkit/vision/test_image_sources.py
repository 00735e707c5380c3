"""torchvision data sets: downloaded by torchvision itself when the server answers, a fast clear refusal when not.

The "server" here is a loopback HTTP server holding a tiny MNIST in its real file format; nothing beyond
127.0.0.1 is contacted.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import socket
import struct
import threading
import time

import pytest
import torchvision

from modelkit.vision.sources import DatasetUnavailableError, load_torchvision_set

MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_images(count: int) -> bytes:
    return struct.pack(">IIII", 0x803, count, 28, 28) + bytes((i * 7) % 256 for i in range(count * 28 * 28))


def idx_labels(count: int) -> bytes:
    return struct.pack(">II", 0x801, count) + bytes(i % 10 for i in range(count))


def tiny_mnist_files(folder, train_count: int = 20, test_count: int = 10) -> list[tuple[str, str]]:
    """Gzipped idx files as MNIST's mirrors serve them; (file name, md5) pairs like MNIST.resources."""
    contents = [idx_images(train_count), idx_labels(train_count), idx_images(test_count), idx_labels(test_count)]
    resources = []
    for name, content in zip(MNIST_FILES, contents):
        packed = gzip.compress(content, mtime=0)
        (folder / f"{name}.gz").write_bytes(packed)
        resources.append((f"{name}.gz", hashlib.md5(packed).hexdigest()))
    return resources


@pytest.fixture
def loopback_mirror(tmp_path):
    served = tmp_path / "mirror"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_mnist_is_downloaded_by_torchvision_when_its_server_answers(loopback_mirror, monkeypatch, app_data_dir):
    served, url = loopback_mirror
    monkeypatch.delenv("APP_OFFLINE")
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(torchvision.datasets.MNIST, "resources", tiny_mnist_files(served))

    train, test = load_torchvision_set("torchvision:mnist", True), load_torchvision_set("torchvision:mnist", False)

    assert train.images.shape == (20, 1, 28, 28) and len(test.labels) == 10
    assert (app_data_dir / "datasets" / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()


def test_a_set_whose_server_refuses_the_connection_is_refused_within_seconds_naming_the_server(monkeypatch):
    monkeypatch.delenv("APP_OFFLINE")
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        port = bound_not_listening.getsockname()[1]
        monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [f"http://127.0.0.1:{port}/mnist/"])
        started = time.monotonic()

        with pytest.raises(DatasetUnavailableError, match=r"not downloaded .* 127\.0\.0\.1 cannot be reached.*offline"):
            load_torchvision_set("torchvision:mnist", True)

    assert time.monotonic() - started < 5


def test_offline_by_setting_no_download_is_tried_and_the_message_says_what_to_do():
    started = time.monotonic()

    with pytest.raises(DatasetUnavailableError, match="cannot be reached.*bundled digits or a zip upload"):
        load_torchvision_set("torchvision:cifar10", True)

    assert time.monotonic() - started < 5
