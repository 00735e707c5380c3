"""Describe the machine the app runs on without importing torch (the sidebar shows it on every page).

GPUs are read from `nvidia-smi`, which ships with the NVIDIA driver; without it, the CPU is described.
Training code picks its device with torch itself; this module only says what is there.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Accelerator:
    name: str
    memory_gib: float


@dataclass(frozen=True)
class HardwareSummary:
    gpus: tuple[Accelerator, ...]
    cpu: str
    cpu_cores: int

    def headline(self) -> str:
        if not self.gpus:
            return f"CPU only: {self.cpu} ({self.cpu_cores} cores)"
        first = self.gpus[0]
        count = f"{len(self.gpus)} x " if len(self.gpus) > 1 else ""
        return f"GPU: {count}{first.name} ({first.memory_gib:.0f} GiB)"


def describe_hardware() -> HardwareSummary:
    return HardwareSummary(gpus=tuple(_nvidia_gpus()), cpu=_cpu_name(), cpu_cores=os.cpu_count() or 1)


def _nvidia_gpus() -> list[Accelerator]:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return []
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []  # a driver that does not answer means no usable GPU
    gpus = []
    for line in out.strip().splitlines():
        name, _, mib = line.rpartition(",")
        try:
            gpus.append(Accelerator(name.strip(), float(mib) / 1024))
        except ValueError:
            continue
    return gpus


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def matmul_flops_per_s(size: int = 512, repeats: int = 10) -> float:
    """This machine's fp32 matrix-multiply speed on the CPU, measured now with numpy (no torch needed)."""
    import time

    import numpy as np

    a, b = np.random.rand(size, size).astype(np.float32), np.random.rand(size, size).astype(np.float32)
    a @ b  # warm-up: the first call picks kernels
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best
