"""What every benchmark reports: a figure, its target, and its ratio to a baseline measured in
the same run; plus the timing helper they share and the description of the machine."""

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str  # "s", "req/s", "MB": values are shown in a unit that suits their size
    target: str  # as a person reads it: "< 100 µs", ">= 0.5 x baseline"
    met: bool | None  # None: a figure reported without a target
    baseline_name: str = ""
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.value / self.baseline


def median_seconds(run: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    """Median wall time of ``run`` (garbage collection paused while timing, as timeit does)."""
    for _ in range(warmup):
        run()
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(times)


def show(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:,.1f} µs"
        return f"{value * 1e3:,.2f} ms" if value < 1 else f"{value:,.2f} s"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "requests":
        return f"{value:,.0f}"
    return f"{value:,.1f} {unit}"


def table(figures: list[Figure]) -> str:
    """The figures as a plain-text table, one line each."""
    header = f"{'figure':<50} {'value':>13} {'target':>20} {'met':>4}  {'ratio':>8}  baseline"
    lines = [header, "-" * len(header)]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        ratio = "" if f.ratio is None else f"{f.ratio:,.2f}x"
        base = "" if f.baseline is None else f"{f.baseline_name}: {show(f.baseline, f.unit)}"
        lines.append(
            f"{f.name:<50} {show(f.value, f.unit):>13} {f.target:>20} {met:>4}  {ratio:>8}  {base}"
        )
    return "\n".join(lines)


def machine() -> str:
    """CPU model, cores, and the versions the figures depend on."""
    model = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("numpy", "fastapi", "uvicorn", "pydantic")
    )
    return (
        f"{model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {packages}"
    )
