"""What phones and scanners produce (EXIF-rotated, 16-bit grey, CMYK, transparent) is converted the same
way for training and for the demo, never a crash; and the demo shows what the model sees."""
from __future__ import annotations

import numpy as np
from PIL import Image

from modelkit.vision.data import decode, to_array


def saved(image: Image.Image, path, **options):
    image.save(path, **options)
    return path


def test_a_phone_photo_stored_sideways_is_learned_upright_by_its_exif_orientation(tmp_path):
    image = Image.new("RGB", (40, 20), (0, 0, 0))
    image.paste((255, 255, 255), (20, 0, 40, 20))  # stored: dark left half, light right half
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    pixels, reason, _ = decode(saved(image, tmp_path / "phone.jpg", exif=exif, quality=95), 16, None)

    grey = pixels.mean(axis=0)
    assert reason == "" and grey[:8].mean() < 60 and grey[8:].mean() > 200  # upright: dark top, light bottom


def test_sixteen_bit_grey_is_scaled_by_its_range_instead_of_clipped_to_white(tmp_path):
    ramp = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)
    pixels, reason, facts = decode(saved(Image.fromarray(ramp), tmp_path / "scan.png"), 16, None)

    assert reason == "" and facts["mode"] == "I;16" and pixels.shape == (1, 16, 16)
    assert pixels.min() < 30 and pixels.max() > 220  # the whole ramp survives, not a white square


def test_cmyk_and_transparent_images_become_rgb_with_transparency_on_white(tmp_path):
    cmyk, _, _ = decode(saved(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), tmp_path / "print.jpg"), 16, None)
    clear, _, _ = decode(saved(Image.new("RGBA", (40, 30), (255, 0, 0, 0)), tmp_path / "logo.png"), 16, None)

    assert cmyk.reshape(3, -1).mean(axis=1).round().tolist() == [255, 0, 0]  # CMYK's pure red
    assert clear.reshape(3, -1).mean(axis=1).round().tolist() == [255, 255, 255]  # fully transparent: white


def test_a_grey_rgba_upload_turns_into_the_models_channels():
    upload = Image.new("LA", (10, 10), (40, 255))

    assert to_array(upload, 8, "RGB").shape == (3, 8, 8)
    assert to_array(upload, 8, "L").reshape(-1).tolist() == [40] * 64


def test_the_demo_shows_a_black_on_white_digit_as_the_digits_model_sees_it_8_by_8_and_inverted():
    from PIL import ImageDraw

    from modelkit.vision.model import ImageProcessor
    from modelkit.vision.predict import ImagePredictor

    photo = Image.new("RGB", (128, 128), (255, 255, 255))
    ImageDraw.Draw(photo).ellipse((30, 20, 98, 108), outline=(0, 0, 0), width=14)  # a handwritten "0"
    digits = ImageProcessor(image_size=16, channels=1, stored_channels=1, mean=[0.3], std=[0.3],
                            label_names=[str(d) for d in range(10)], invert_light_background=True, stored_size=8)

    seen, said = ImagePredictor(model=None, processor=digits).model_view(photo)

    assert seen.shape == (8, 8) and seen.mean() < 128  # light ink on a dark ground, like the training digits
    assert "8 x 8 px" in said and "inverted" in said


def test_a_photo_is_shown_in_colour_at_the_backbones_size_and_not_inverted():
    from modelkit.vision.model import ImageProcessor
    from modelkit.vision.predict import ImagePredictor

    photos = ImageProcessor(image_size=224, channels=3, stored_channels=3, label_names=["ants", "bees"])

    seen, said = ImagePredictor(model=None, processor=photos).model_view(Image.new("RGB", (640, 480), (250, 240, 230)))

    assert seen.shape == (224, 224, 3) and "inverted" not in said


def test_thousands_of_class_folders_are_questioned_and_named_in_a_short_list():
    from modelkit.vision.data import ImageReport, report_warnings

    classes = [f"c{i}" for i in range(3000)]
    report = ImageReport(source="photos", classes=classes, train_counts={c: 1 for c in classes},
                         val_counts={c: 0 for c in classes}, split="automatic")

    warnings = report_warnings(report)

    assert warnings[0].startswith("3,000 classes (one folder each) with 1.0 training images per class")
    assert "c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 2,990 more" in warnings[1]
    assert all(len(w) < 300 for w in warnings)
