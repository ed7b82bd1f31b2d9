"""Throughput of the SPOCO training loader: samples/s at 448x448 with 0 and 2 worker processes.

Run: `python bench/data.py` (writes a small synthetic CVPPP set to a temporary folder first).
Prints one line per worker count and the speed-up of 2 workers over 0, measured in the same run.
"""
import argparse, tempfile, time
from pathlib import Path

import torch

from spoco.data.cvppp import CVPPP
from spoco.data.loaders import make_loaders, set_epoch
from spoco.data.synthetic import make_rosette, write_synthetic_cvppp
from spoco.data.views import SpocoViews


def samples_per_second(ds, workers: int, batch_size: int, epochs: int) -> float:
    "Samples per second of a training loader over `epochs` epochs, after one warm-up batch."
    dl, _ = make_loaders(ds, batch_size=batch_size, num_workers=workers, seed=0)
    set_epoch(dl, 0); next(iter(dl))
    n, t0 = 0, time.perf_counter()
    for epoch in range(epochs):
        set_epoch(dl, epoch)
        for v1, v2, lab in dl: n += len(v1)
    return n / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--images', type=int, default=16); p.add_argument('--size', type=int, default=530)
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--batch-size', type=int, default=4)
    a = p.parse_args()
    torch.set_num_threads(1)  # loader work only; a training process would use the rest
    t0 = time.perf_counter()
    for s in range(10): make_rosette(448, seed=s)
    print(f'make_rosette(448): {(time.perf_counter() - t0) / 10:.3f} s per image')
    root = write_synthetic_cvppp(Path(tempfile.mkdtemp()) / 'cvppp', n_train=a.images, n_val=0, n_test=0, size=a.size)
    ds = CVPPP(root, 'train', views=SpocoViews(patch_size=(448, 448)), instance_ratio=0.1)
    rates = {w: samples_per_second(ds, w, a.batch_size, a.epochs) for w in (0, 2)}
    for w, r in rates.items(): print(f'workers={w}: {r:6.1f} samples/s (two 448x448 views each, {a.size}x{a.size} source images)')
    print(f'ratio 2 workers / 0 workers: {rates[2] / rates[0]:.2f}x')


if __name__ == '__main__':
    main()
