"""SPOCO's ablation on synthetic rosettes: mean test SBD at 10%, 40% and 100% of the leaves labelled,
with and without the consistency term, at the demo's CPU settings (or --iterations / --size).

Run: `python bench/ablation.py [--iterations N] [--out DIR]`; prints a Markdown table and writes ablation.png.
"""
import argparse, tempfile, time
from dataclasses import replace
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

from spoco.ablation import ablation, plot_ablation
from spoco.demo import CPU_DEMO


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iterations', type=int, default=CPU_DEMO.iterations); p.add_argument('--size', type=int, default=CPU_DEMO.size)
    p.add_argument('--out', default=None)
    a = p.parse_args()
    out = Path(a.out or tempfile.mkdtemp())
    s, ratios, t0 = replace(CPU_DEMO, iterations=a.iterations, size=a.size), (0.1, 0.4, 1.0), time.perf_counter()
    res = ablation(s, out, ratios)
    print(f'| variant | ' + ' | '.join(f'{r:.0%} labelled' for r in ratios) + ' |\n|---|' + '---|' * len(ratios))
    for name, sbds in res.items(): print(f'| {name} | ' + ' | '.join(f'{v:.3f}' for v in sbds) + ' |')
    print(f'{len(ratios) * 2} runs of {s.iterations} steps at {s.size}x{s.size} in {time.perf_counter() - t0:.0f} s')
    ax = plot_ablation(res, ratios); ax.figure.savefig(out / 'ablation.png', dpi=100, bbox_inches='tight')
    print(f'plot: {out / "ablation.png"}')


if __name__ == '__main__':
    main()
