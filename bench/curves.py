"""Learning curves on the built-in crowded data: the validation score against the fraction of objects labelled, for SPOCO,
SPOCO without its consistency term, and full supervision, at the same budget, over seeds (`spoco.curve.learning_curve`).

    python bench/curves.py rosettes [--steps 300] [--seeds 0 1] [--out DIR]   # CVPPP-like rosettes, 10-25 touching leaves: SBD
    python bench/curves.py nuclei [--steps 300] [--seeds 0 1] [--out DIR]     # crowded fluorescent nuclei, no mask: F1 at IoU 0.5

The runs: SPOCO and SPOCO without consistency at 10% of the objects labelled; SPOCO and full supervision (`--no-spoco`,
label 0 is background) at 100%. The rosettes use the demo's CPU settings (128x128, a 4-level U-Net, positions at the default scale, half the labelled leaves' median extent)
and are clustered in their foreground masks; the nuclei (256x256, 128x128 patches, the same network) have no mask and
are clustered above a threshold of the image (`--foreground threshold`), objects under 30 pixels dropped. A stopped run continues where
it stopped. Prints a Markdown table (mean and range over seeds per arm) and writes OUT/curve.csv and OUT/curve.png.
"""
import argparse, time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from spoco.config import SpocoConfig
from spoco.cluster import ClusterSettings
from spoco.curve import learning_curve
from spoco.demo import CPU_DEMO, demo_config, demo_data

ARMS = (((0.1,), ('spoco', 'no-consistency')), ((1.0,), ('spoco', 'no-spoco')))  # (fractions, variants) of each grid


def config(data: str, steps: int, out: Path) -> tuple:
    "(training configuration, clustering options) of one data set's curve."
    if data == 'rosettes':
        s = replace(CPU_DEMO, iterations=steps)
        demo_data(s, out / 'data')
        cfg = replace(demo_config(s, out), num_workers=0)
        return cfg, ClusterSettings(min_size=cfg.val_min_size)
    cfg = SpocoConfig(ds_name='nuclei', ds_path=str(out / 'data'), patch_size=(128, 128), batch_size=4, num_workers=0,
                      model_feature_maps=(16, 32, 64, 128), learning_rate=1e-3, max_num_iterations=steps,
                      checkpoint_every=steps, log_after_iters=max(1, steps // 10))
    return cfg, ClusterSettings(min_size=30, foreground='threshold')


def table(rows: list, score: str) -> str:
    "Markdown rows: arm, runs, mean and range of the score, seconds per run."
    lines = [f'| variant | fraction labelled | runs | {score} mean | {score} range | seconds per run |', '|---|---|---|---|---|---|']
    for v, f in dict.fromkeys((r['variant'], r['fraction']) for r in rows):
        x = [r for r in rows if (r['variant'], r['fraction']) == (v, f)]
        s = np.array([r[score] for r in x], float)
        lines.append(f'| {v} | {f:g} | {len(x)} | {s.mean():.3f} | {s.min():.3f}–{s.max():.3f} | {np.mean([r["seconds"] for r in x]):.0f} |')
    return '\n'.join(lines)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('data', choices=('rosettes', 'nuclei'))
    p.add_argument('--steps', type=int, default=300, help='training steps per run')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--out', default=None, help='default: curve_DATA_STEPS')
    p.add_argument('--threads', type=int, default=None, help='torch threads (1 on a shared machine)')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    out = Path(a.out or f'curve_{a.data}_{a.steps}')
    cfg, opts = config(a.data, a.steps, out)
    t = time.time()
    for fractions, variants in ARMS:
        rows = learning_curve(cfg, out=out, fractions=fractions, variants=variants, seeds=tuple(a.seeds), settings=opts)
    print(table(rows, 'sbd' if a.data == 'rosettes' else 'f1'))
    print(f'{len(rows)} runs in {out / "curve.csv"}, {time.time() - t:.0f} s in this call')
