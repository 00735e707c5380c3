"""Predictions from a trained image model: top-k classes for one image, a CSV for a zip of images.

`ImagePredictor.from_run(run_dir)` loads `<run_dir>/model` (safetensors + preprocessor.json);
`top_k(image_bytes)` -> [(label, probability)]; `predict_zip(zip_bytes)` -> a table (file, label,
confidence, p_<class>..., error) for every file in the zip, unreadable files kept as rows with their
reason. The CLI (`python -m modelkit predict --run-dir RUN --image a.png | --zip batch.zip`) and the
page's demo both use it.
"""
from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image, UnidentifiedImageError

from modelkit.vision.zip_safety import ImageDataError, is_hidden, safe_extract
from modelkit.vision.model import ImageProcessor
from modelkit.vision.pixels import pixel_problem


class NotAnImageError(ImageDataError):
    pass


class TooManyPixelsError(NotAnImageError):
    pass


def open_image(source, name: str = "the upload") -> Image.Image:
    """A decoded PIL image from bytes or a path; a clear error instead of PIL's.

    The pixel count is checked on the header, before decoding: a small file may declare a huge image."""
    try:
        image = Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except UnidentifiedImageError:
        raise NotAnImageError(f"{name} is not an image PIL can read (PNG, JPEG, GIF, BMP, WebP...)") from None
    except Image.DecompressionBombError:  # Pillow's own, far higher cap, raised while reading the header
        raise TooManyPixelsError(f"{name} declares far too many pixels (a decompression bomb?)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise NotAnImageError(f"{name} is a damaged image ({error})") from None
    problem = pixel_problem(image)
    if problem:
        raise TooManyPixelsError(f"{name} is {problem}.")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise NotAnImageError(f"{name} is a damaged image ({error})") from None
    return image


@dataclass
class ImagePredictor:
    model: torch.nn.Module
    processor: ImageProcessor
    device: str = "cpu"

    @classmethod
    def from_run(cls, run_dir: str | Path, device: str = "cpu") -> "ImagePredictor":
        from modelkit.vision.task import load_trained

        if not (Path(run_dir) / "model" / "model.safetensors").exists():
            raise FileNotFoundError(f"no trained model in {run_dir}; train one first")
        model, processor, _ = load_trained(Path(run_dir), device)
        return cls(model, processor, device)

    @property
    def label_names(self) -> list[str]:
        return self.processor.label_names

    @torch.inference_mode()
    def predict_proba(self, images: list[Image.Image], batch_size: int = 64) -> np.ndarray:
        self.model.eval()
        chunks = []
        for start in range(0, len(images), batch_size):
            batch = self.processor(images[start:start + batch_size]).to(self.device)
            chunks.append(torch.softmax(self.model(batch).float(), dim=-1).cpu().numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.label_names)))

    def top_k(self, source, k: int = 3) -> list[tuple[str, float]]:
        image = source if isinstance(source, Image.Image) else open_image(source)
        probabilities = self.predict_proba([image])[0]
        order = probabilities.argsort()[::-1][:k]
        return [(self.label_names[i], round(float(probabilities[i]), 4)) for i in order]

    def model_view(self, source) -> tuple[np.ndarray, str]:
        """(the image as the model sees it, H x W or H x W x 3 uint8, and a caption that says how it was
        made): the training preprocessing exactly, digit-style inversion and rescaling included."""
        image = source if isinstance(source, Image.Image) else open_image(source)
        pixels, inverted = self.processor.model_view(image)
        size = int(pixels.shape[-1])
        array = pixels.numpy()
        array = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
        said = f"as the model sees it: {size} x {size} px, {'grey' if pixels.shape[0] == 1 else 'colour'}"
        if inverted:
            said += ", inverted to light ink on dark like its training images"
        return array, said

    def predict_zip(self, source) -> pd.DataFrame:
        """One row per file in the zip (hidden/system files ignored); unreadable files get an error."""
        with tempfile.TemporaryDirectory() as folder:
            root = safe_extract(source, Path(folder) / "batch")
            files = sorted(p for p in root.rglob("*") if p.is_file() and not is_hidden(p.relative_to(root).parts))
            images, names, errors = [], [], {}
            for path in files:
                name = str(path.relative_to(root))
                try:
                    images.append(open_image(path, name))
                    names.append(name)
                except NotAnImageError as error:
                    errors[name] = str(error)
            probabilities = self.predict_proba(images)
        if not names and not errors:
            raise ImageDataError("the zip holds no files to predict")
        frame = pd.DataFrame({"file": names})
        frame["label"] = [self.label_names[i] for i in probabilities.argmax(axis=1)] if names else []
        frame["confidence"] = probabilities.max(axis=1).round(4) if names else []
        for index, label in enumerate(self.label_names):
            frame[f"p_{label}"] = probabilities[:, index].round(4)
        frame["error"] = ""
        failed = pd.DataFrame({"file": list(errors), "error": list(errors.values())})
        return pd.concat([frame, failed], ignore_index=True).fillna({"label": ""})
