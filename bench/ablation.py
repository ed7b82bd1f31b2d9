"""SPOCO's ablation on synthetic rosettes: mean test SBD at 10%, 40% and 100% of the leaves labelled,
with and without the consistency term, at the demo's CPU settings (or --iterations / --size).

Run: `python bench/ablation.py [--iterations N] [--out DIR]`; prints Markdown tables and writes ablation.png.
The first table clusters as the demo does (mean-shift in the foreground mask); the others re-cluster the same
predictions with msplus and with HDBSCAN (the original's CVPPP setting). `--recluster DIR` prints those tables
for the runs already in DIR, without training.
"""
import argparse, tempfile, time
from dataclasses import replace
from pathlib import Path

import matplotlib
matplotlib.use('Agg')

from spoco.ablation import ablation, plot_ablation
from spoco.cluster_predictions import cluster_predictions
from spoco.demo import CPU_DEMO, min_size

RATIOS, VARIANTS = (0.1, 0.4, 1.0), ('spoco', 'no consistency')


def table(title, res):
    print(f'\n{title}\n\n| variant | ' + ' | '.join(f'{r:.0%} labelled' for r in RATIOS) + ' |\n|---|' + '---|' * len(RATIOS))
    for name, sbds in res.items(): print(f'| {name} | ' + ' | '.join(f'{v:.3f}' for v in sbds) + ' |')


def recluster(out, size):
    "Mean test SBD of every run under `out`, clustered with msplus and with HDBSCAN."
    gt = out / 'data' / 'test' / 'A1'
    for method in ('msplus', 'hdbscan'):
        res = {name: [cluster_predictions(out / f'{name.replace(" ", "_")}_{r}' / 'predictions', 'cvppp', method, gt_dir=gt,
                                          min_size=min_size(size), num_workers=0, progress=False)['mean']['sbd'] for r in RATIOS]
               for name in VARIANTS}
        table(f'{method}, min size {min_size(size)}:', res)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iterations', type=int, default=CPU_DEMO.iterations); p.add_argument('--size', type=int, default=CPU_DEMO.size)
    p.add_argument('--out', default=None); p.add_argument('--recluster', default=None, help='a finished ablation folder')
    a = p.parse_args()
    if a.recluster: return recluster(Path(a.recluster), a.size)
    out = Path(a.out or tempfile.mkdtemp())
    s, t0 = replace(CPU_DEMO, iterations=a.iterations, size=a.size), time.perf_counter()
    res = ablation(s, out, RATIOS)
    table(f'mean-shift (as the demo), min size {min_size(s.size)}:', res)
    print(f'\n{len(RATIOS) * 2} runs of {s.iterations} steps at {s.size}x{s.size} in {time.perf_counter() - t0:.0f} s')
    ax = plot_ablation(res, RATIOS); ax.figure.savefig(out / 'ablation.png', dpi=100, bbox_inches='tight')
    print(f'plot: {out / "ablation.png"}')
    recluster(out, s.size)


if __name__ == '__main__':
    main()
