"""SPOCO's ablation on synthetic rosettes: mean test SBD at 10%, 40% and 100% of the leaves labelled,
with and without the consistency term, at the demo's CPU settings (or --iterations / --size / --seed).

    python bench/ablation.py [--iterations N] [--seed S] [--out DIR]     # train the six runs, then score them
    python bench/ablation.py --recluster DIR [DIR ...] [--figure PNG]    # score finished runs (e.g. one per seed)

Every run's test predictions are clustered three ways: mean-shift in the foreground mask as the demo does
(bandwidth delta_var), msplus (mean-shift, then clusters closer than delta_dist merged) and HDBSCAN (the original's
CVPPP setting), all with the demo's minimum object size. Prints one Markdown table per clustering (the mean over
the folders given, then each folder) and draws the three curves, mean and range over the folders, into one figure.
"""
import argparse, tempfile, time
from dataclasses import replace
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np

from spoco.ablation import ablation, plot_ablation
from spoco.cluster_predictions import cluster_predictions
from spoco.demo import CPU_DEMO, min_size
from spoco.train import reuse_freed_memory

RATIOS, VARIANTS, METHODS = (0.1, 0.4, 1.0), ('spoco', 'no consistency'), ('ms', 'msplus', 'hdbscan')
TITLES = dict(ms='mean-shift (as the demo)', msplus='msplus', hdbscan='HDBSCAN')


def score_runs(dirs, size):
    "{method: {variant: (folders, ratios) mean test SBD}} for the ablation folders `dirs`."
    def sbd(out, name, r, method):
        return cluster_predictions(out / f'{name.replace(" ", "_")}_{r}' / 'predictions', 'cvppp', method,
                                   gt_dir=out / 'data' / 'test' / 'A1', min_size=min_size(size), num_workers=0,
                                   progress=False)['mean']['sbd']
    return {m: {v: np.array([[sbd(Path(d), v, r, m) for r in RATIOS] for d in dirs]) for v in VARIANTS} for m in METHODS}


def report(scores, dirs, figure):
    for method, res in scores.items():
        print(f'\n{TITLES[method]}, min size {min_size(CPU_DEMO.size)}:\n\n| variant | folder | '
              + ' | '.join(f'{r:.0%} labelled' for r in RATIOS) + ' |\n|---|---|' + '---|' * len(RATIOS))
        for name, sbds in res.items():
            rows = ([('mean', sbds.mean(0))] if len(dirs) > 1 else []) + [(Path(d).name, s) for d, s in zip(dirs, sbds)]
            for label, row in rows: print(f'| {name} | {label} | ' + ' | '.join(f'{v:.3f}' for v in row) + ' |')
    fig, axs = plt.subplots(1, len(scores), figsize=(4.2 * len(scores), 3.4), sharey=True)
    for ax, (method, res) in zip(axs, scores.items()):
        plot_ablation(res, RATIOS, ax); ax.set_title(TITLES[method])
    fig.savefig(figure, dpi=100, bbox_inches='tight')
    print(f'\nfigure: {figure}')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iterations', type=int, default=CPU_DEMO.iterations); p.add_argument('--size', type=int, default=CPU_DEMO.size)
    p.add_argument('--seed', type=int, default=CPU_DEMO.seed, help='seed of the data and the training')
    p.add_argument('--out', default=None, help='folder of the six runs (a temporary one if not given)')
    p.add_argument('--recluster', nargs='+', default=None, help='finished ablation folders to score instead of training')
    p.add_argument('--figure', default=None, help='where to draw the curves (default: ablation.png in the first folder)')
    a = p.parse_args()
    dirs = [Path(d) for d in a.recluster] if a.recluster else [Path(a.out or tempfile.mkdtemp())]
    if not a.recluster:
        reuse_freed_memory()  # as spoco_train and spoco_demo do
        s, t0 = replace(CPU_DEMO, iterations=a.iterations, size=a.size, seed=a.seed), time.perf_counter()
        ablation(s, dirs[0], RATIOS)
        print(f'{len(RATIOS) * 2} runs of {s.iterations} steps at {s.size}x{s.size} in {time.perf_counter() - t0:.0f} s')
    report(score_runs(dirs, a.size), dirs, a.figure or dirs[0] / 'ablation.png')


if __name__ == '__main__':
    main()
