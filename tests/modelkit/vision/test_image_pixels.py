"""The pixel budget: a small file that declares a huge image is refused from its header, on every image path."""
from __future__ import annotations

import pytest

from modelkit.vision.pixels import MAX_IMAGE_PIXELS
from modelkit.vision.predict import NotAnImageError, TooManyPixelsError, open_image
from modelkit.vision.sources import check_image_data
from tests.image_builders import black_png, class_zip, image_config, png_bytes


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return black_png(12_000, 12_000)


def test_a_small_png_that_declares_144_megapixels_is_refused_before_decoding(bomb):
    assert len(bomb) < 1_000_000
    with pytest.raises(TooManyPixelsError, match=r"^the upload is 12,000 x 12,000 pixels \(144 megapixels\); "
                                                 r"the limit is 24 megapixels: scale it down first.$"):
        open_image(bomb)


def test_the_refusal_comes_from_the_header_alone(bomb):
    cut = bomb[:200]  # the header and the first bytes of pixel data: decoding it would fail as damaged
    with pytest.raises(TooManyPixelsError, match="big.png is 12,000 x 12,000 pixels"):
        open_image(cut, "big.png")


def test_an_image_at_the_budget_still_opens():
    side = int(MAX_IMAGE_PIXELS ** 0.5)
    assert open_image(black_png(side, side)).size == (side, side)
    with pytest.raises(NotAnImageError, match="not an image"):
        open_image(b"not a picture")


def test_a_training_zip_lists_the_huge_image_as_skipped_with_its_size(bomb, tmp_path):
    upload = tmp_path / "upload.zip"
    upload.write_bytes(class_zip(extra={"red/huge.png": bomb}))

    report = check_image_data(image_config(str(upload)), 16)

    [skipped] = [s for s in report.skipped if s["file"] == "red/huge.png"]
    assert skipped["reason"] == ("too many pixels (12,000 x 12,000 pixels (144 megapixels); the limit is 24 "
                                 "megapixels: scale it down first)")
