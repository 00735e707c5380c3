"""Image data: safe zip unpacking, ImageFolder layouts, the data report (no model involved)."""
from __future__ import annotations

import zipfile
import io

import pytest

from modelkit.vision.data import NoClassFoldersError
from modelkit.vision.sources import check_image_data, load_image_splits
from modelkit.vision.zip_safety import ImageDataError, UnsafeZipError, ZipTooLargeError, safe_extract
from tests.image_builders import class_zip, image_config, png_bytes, write_class_folders, zip_of


def test_a_zip_with_a_parent_directory_path_is_refused_before_anything_is_written(tmp_path):
    evil = zip_of({"cats/1.png": png_bytes((1, 2, 3)), "../../escaped.txt": b"gotcha"})

    with pytest.raises(UnsafeZipError, match="climbs out"):
        safe_extract(evil, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "escaped.txt").exists()


def test_a_zip_with_an_absolute_path_is_refused(tmp_path):
    with pytest.raises(UnsafeZipError, match="absolute path"):
        safe_extract(zip_of({"/etc/cron.d/evil": b"x"}), tmp_path / "out")


def test_a_zip_holding_a_symlink_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("cats/link.png")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")

    with pytest.raises(UnsafeZipError, match="symbolic link"):
        safe_extract(buffer.getvalue(), tmp_path / "out")


def test_a_zip_bomb_is_refused_from_its_declared_size_before_extraction(tmp_path):
    bomb = zip_of({"cats/big.png": b"\0" * 5_000_000})  # deflates to a few KB

    with pytest.raises(ZipTooLargeError, match="would unpack to"):
        safe_extract(bomb, tmp_path / "out", max_total_bytes=1_000_000)
    assert not (tmp_path / "out").exists()


def test_a_member_that_lies_about_its_size_is_stopped_while_extracting(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("cats/a.png", b"A" * 4096)
    raw = bytearray(buffer.getvalue())
    # shrink the declared sizes (local header and central directory) to 16 bytes: the data stays 4 KB
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset:at + offset + 4] = (16).to_bytes(4, "little")

    with pytest.raises(ImageDataError):
        safe_extract(bytes(raw), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_too_many_files_are_refused(tmp_path):
    with pytest.raises(ZipTooLargeError, match="entries"):
        safe_extract(class_zip(per_class=6), tmp_path / "out", max_files=5)


def test_something_that_is_not_a_zip_gets_a_clear_message(tmp_path):
    with pytest.raises(ImageDataError, match="not a readable zip"):
        safe_extract(b"just some text", tmp_path / "out")


def test_a_zip_without_class_folders_is_rejected_with_the_layout_it_needs(tmp_path):
    flat = tmp_path / "flat.zip"
    flat.write_bytes(zip_of({"1.png": png_bytes((9, 9, 9)), "2.png": png_bytes((9, 9, 9), seed=1)}))

    with pytest.raises(NoClassFoldersError, match="one folder per class"):
        check_image_data(image_config(str(flat)), 16)


def test_a_text_file_named_jpg_is_listed_as_not_an_image_and_skipped(tmp_path):
    upload = tmp_path / "upload.zip"
    upload.write_bytes(class_zip(extra={"red/notes.jpg": b"this is not an image at all"}))

    report = check_image_data(image_config(str(upload)), 16)

    assert {"file": "red/notes.jpg", "reason": "not an image"} in report.skipped
    assert sum(report.train_counts.values()) + sum(report.val_counts.values()) == 12
    assert any("skipped" in warning for warning in report.warnings)


def test_a_truncated_image_is_reported_as_corrupt_not_a_crash(tmp_path):
    upload = tmp_path / "upload.zip"
    upload.write_bytes(class_zip(extra={"blue/cut.png": png_bytes((40, 40, 200), size=64)[:200]}))

    report = check_image_data(image_config(str(upload)), 16)

    assert [s["file"] for s in report.skipped] == ["blue/cut.png"]
    assert report.skipped[0]["reason"].startswith("corrupt image")


def test_a_nested_top_folder_and_macos_litter_are_handled(tmp_path):
    upload = tmp_path / "upload.zip"
    litter = {"__MACOSX/my_photos/red/._0.png": b"\0\1", "my_photos/.DS_Store": b"\0", "my_photos/red/Thumbs.db": b"\0"}
    upload.write_bytes(class_zip(prefix="my_photos/", extra=litter))

    report = check_image_data(image_config(str(upload)), 16)

    assert report.classes == ["blue", "red"] and report.skipped == []
    assert report.split == "automatic"


def test_train_and_val_folders_are_used_as_given(tmp_path):
    write_class_folders(tmp_path / "data" / "train", per_class=6)
    write_class_folders(tmp_path / "data" / "val", per_class=2)

    train, val, report = load_image_splits(image_config(str(tmp_path / "data")), 16)

    assert report.split == "folders" and len(train) == 12 and len(val) == 4
    assert train.images.shape[1:] == (3, 16, 16) and str(train.images.dtype) == "uint8"


def test_mixed_modes_and_sizes_are_converted_and_reported(tmp_path):
    root = write_class_folders(tmp_path / "data", per_class=6)
    (root / "red" / "grey.png").write_bytes(png_bytes((120, 120, 120), size=30, mode="L"))

    train, val, report = load_image_splits(image_config(str(root)), 16)

    assert report.modes == {"RGB": 12, "L": 1} and report.channels == 3
    assert any("converted to RGB" in w for w in report.warnings)
    assert any("different image sizes" in w for w in report.warnings)


def test_a_class_with_too_few_images_is_warned_about(tmp_path):
    root = write_class_folders(tmp_path / "data", per_class=6)
    write_class_folders(tmp_path / "data", per_class=2, classes=("green",))

    report = check_image_data(image_config(str(root)), 16)

    assert any("too few training images" in w and "green" in w for w in report.warnings)


def test_the_bundled_digits_load_offline_as_an_automatic_split():
    train, val, report = load_image_splits(image_config("digits"), 16)

    assert len(train) + len(val) == 1797 and report.classes == [str(d) for d in range(10)]
    assert train.images.shape[1:] == (1, 8, 8)


def test_a_torchvision_set_that_is_not_downloaded_fails_fast_with_what_to_do():
    with pytest.raises(ImageDataError, match="not downloaded.*offline"):
        load_image_splits(image_config("torchvision:cifar10"), 32)


def test_images_that_would_not_fit_in_memory_decoded_are_refused_before_decoding(tmp_path, monkeypatch):
    import modelkit.vision.data

    root = write_class_folders(tmp_path / "data", per_class=6)
    monkeypatch.setattr(modelkit.vision.data, "MAX_DECODED_BYTES", 1000)

    with pytest.raises(ImageDataError, match="smaller image size or fewer images"):
        load_image_splits(image_config(str(root)), 16)


def test_the_same_zip_is_unpacked_once_and_reused(tmp_path, app_data_dir):
    upload = tmp_path / "upload.zip"
    upload.write_bytes(class_zip())

    first = check_image_data(image_config(str(upload)), 16)
    second = check_image_data(image_config(str(upload)), 16)

    assert first.train_counts == second.train_counts
    assert len(list((app_data_dir / "uploads").iterdir())) == 1


def test_a_zip_with_one_class_folder_says_which_folder_it_found_and_that_two_are_needed(tmp_path):
    one = tmp_path / "ants.zip"
    one.write_bytes(zip_of({f"ants/{i}.png": png_bytes((9, 9, 9), seed=i) for i in range(3)}))

    with pytest.raises(NoClassFoldersError, match=r"found 1 class folder \('ants'\); need at least 2"):
        check_image_data(image_config(str(one)), 16)


def test_one_class_under_a_wrapper_or_under_train_is_said_the_same_way(tmp_path):
    for name, prefix in (("wrapped.zip", "my_data/ants/"), ("split.zip", "train/ants/")):
        path = tmp_path / name
        path.write_bytes(zip_of({f"{prefix}{i}.png": png_bytes((9, 9, 9), seed=i) for i in range(3)}))

        with pytest.raises(NoClassFoldersError, match=r"found 1 class folder \('ants'\)"):
            check_image_data(image_config(str(path)), 16)


def test_a_zip_that_unpacks_a_thousand_times_its_size_is_refused_on_its_headers_under_the_size_cap(tmp_path):
    bomb = zip_of({"cats/big.bmp": bytes(64 * 1024 * 1024), "dogs/big.bmp": bytes(8)})  # 64 MiB -> ~65 KB

    with pytest.raises(ZipTooLargeError, match=r"'cats/big.bmp' would unpack from .* to 64 MiB \([\d,]+:1\); "
                                               r"the limit is 100:1"):
        safe_extract(bomb, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_many_small_members_that_add_up_to_a_bomb_are_refused_on_the_zips_real_size(tmp_path):
    bomb = zip_of({f"cats/{i}.bmp": bytes(512 * 1024) for i in range(40)})  # each under the floor, 20 MiB in all

    with pytest.raises(ZipTooLargeError, match=r"would unpack to 20 MiB \([\d,]+:1\); the limit is 100:1"):
        safe_extract(bomb, tmp_path / "out")


def test_small_flat_images_that_compress_well_are_still_accepted(tmp_path):
    flat = zip_of({f"{name}/{i}.bmp": bytes(100_000) for name in ("a", "b") for i in range(3)})  # 1:500, 600 KB

    assert len(list(safe_extract(flat, tmp_path / "out").rglob("*.bmp"))) == 6


def test_a_refused_zip_leaves_no_unpacked_folder_in_the_uploads(tmp_path, app_data_dir):
    one = tmp_path / "ants.zip"
    one.write_bytes(zip_of({f"ants/{i}.png": png_bytes((9, 9, 9), seed=i) for i in range(3)}))

    with pytest.raises(NoClassFoldersError):
        check_image_data(image_config(str(one)), 16)
    assert list((app_data_dir / "uploads").iterdir()) == []
    assert one.exists()  # the user's own zip is theirs: only what the check unpacked is removed
