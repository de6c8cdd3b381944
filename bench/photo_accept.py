"""What accepting one large phone photo costs: time and memory of ``process_photo``.

Generates a photo-like 6000 x 4500 JPEG (27 MP, smooth shapes plus sensor-like noise) and
tunes its noise until the file is 9-10 MB, the size a good phone camera writes. Then it
reports, for ``peerlearn.assignments.photos.process_photo`` on that file:

- wall time, best of 5 (``time.perf_counter``);
- tracemalloc peak: Python allocations only (input copies, output bytes). Pillow keeps
  pixels in its own C memory, which tracemalloc does not see, hence also
- peak RSS growth, measured in a fresh subprocess (Linux VmHWM after the call minus VmRSS
  before it), next to the same figure for a plain full-size ``Image.open().load()`` of the
  file, which is what decoding without ``Image.draft`` would cost.

Run: ``.venv/bin/python bench/photo_accept.py`` (takes about half a minute).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from PIL import Image, ImageFilter

from peerlearn.assignments.photos import process_photo

SIZE = (6000, 4500)
TARGET_BYTES = (9 * 1024 * 1024, 10 * 1024 * 1024)
QUALITY = 95
RUNS = 5
MIB = 1024 * 1024


def _scene(size: tuple[int, int]) -> Image.Image:
    """Smooth colour regions, blurred edges and gradients: the low-frequency part of a photo."""
    small = (size[0] // 100, size[1] // 100)
    channels = [Image.effect_noise(small, 90).resize(size, Image.Resampling.BICUBIC)]
    channels.append(Image.linear_gradient("L").resize(size))
    channels.append(Image.radial_gradient("L").resize(size))
    scene = Image.merge("RGB", channels)
    return scene.filter(ImageFilter.GaussianBlur(3))


def make_photo() -> bytes:
    """A JPEG of ``SIZE`` between ``TARGET_BYTES``, by bisecting the amount of noise."""
    scene = _scene(SIZE)
    grain = Image.merge("RGB", [Image.effect_noise(SIZE, 64) for _ in range(3)])
    low, high = 0.0, 1.0
    for _ in range(12):
        amount = (low + high) / 2
        buffer = io.BytesIO()
        Image.blend(scene, grain, amount).save(buffer, "JPEG", quality=QUALITY)
        data = buffer.getvalue()
        if len(data) < TARGET_BYTES[0]:
            low = amount
        elif len(data) > TARGET_BYTES[1]:
            high = amount
        else:
            return data
    raise RuntimeError(f"could not reach the target size, last try {len(data)} bytes")


def _status_kib(field: str) -> int:
    """A ``/proc/self/status`` figure in KiB (VmRSS: now, VmHWM: peak since reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child(mode: str, path: str) -> None:
    """Run once in a fresh process and print the growth of its peak RSS as JSON.

    ``ru_maxrss`` cannot be used here: Linux carries the parent's peak (the generator
    above, ~400 MiB) over into the child. VmHWM belongs to the child's own memory map, and
    writing 5 to clear_refs resets it to the current RSS just before the call.
    """
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    if mode == "process":
        process_photo(data)
    else:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    peak = _status_kib("VmHWM")
    print(json.dumps({"before_kib": before, "peak_kib": peak, "grown_kib": peak - before}))


def _measure_rss(mode: str, path: Path) -> dict[str, int]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, int] = json.loads(output)
    return figures


def main() -> None:
    started = time.perf_counter()
    data = make_photo()
    print(
        f"input      : {SIZE[0]} x {SIZE[1]} JPEG q{QUALITY}, {len(data) / MIB:.2f} MiB "
        f"({len(data):,} bytes), generated in {time.perf_counter() - started:.1f} s"
    )

    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = process_photo(data)
        times.append(time.perf_counter() - started)
    print(
        f"time       : best {min(times) * 1000:.0f} ms of {RUNS} "
        f"(all: {', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
    )

    tracemalloc.start()
    process_photo(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"tracemalloc: peak {traced_peak / MIB:.1f} MiB of Python allocations "
        f"(input bytes {len(data) / MIB:.1f} MiB are held by the caller, not counted)"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        path.write_bytes(data)
        processed = _measure_rss("process", path)
        full = _measure_rss("full-decode", path)
    print(
        f"peak RSS   : process_photo grew the process by {processed['grown_kib'] / 1024:.1f} "
        f"MiB ({processed['before_kib'] / 1024:.1f} -> {processed['peak_kib'] / 1024:.1f} MiB, "
        f"fresh subprocess)"
    )
    print(
        f"             a full-size decode alone grows it by {full['grown_kib'] / 1024:.1f} MiB "
        f"(27 MP x 4 bytes, Pillow keeps RGB in 32 bits: {SIZE[0] * SIZE[1] * 4 / MIB:.1f} MiB)"
    )

    print(
        f"display    : {result.display_size[0]} x {result.display_size[1]} "
        f"{result.content_type}, {len(result.display) / 1024:.0f} KiB"
    )
    print(
        f"thumbnail  : {result.thumbnail_size[0]} x {result.thumbnail_size[1]} "
        f"{result.content_type}, {len(result.thumbnail) / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
