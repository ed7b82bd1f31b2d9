"""The napari plugin as a user runs it: a nuclei sample opened, its painted tenth trained on, Segment, scored against every nucleus.

    xvfb-run -a python bench/napari_plugin.py [--dims 2 3] [--steps 60 150 300] [--seeds 0 1 2] [--out napari_bench.md]
                                       [--screenshot nbs/images/napari.png]

For every setting a fresh viewer (not shown) gets the plugin's sample (`spoco.napari_plugin.nuclei_sample`: seed 0 is
the sample napari offers, other seeds are images no lesson uses), the dock widget trains on the layer `painted` with the
widget's defaults except the steps (`train(steps, block=True)`), segments (`segment(block=True)`), and the layer
`instances` is scored against the hidden layer `all nuclei` with `spoco.peers.peer_scores` (F1, precision, recall at
IoU 0.5, AP over IoU 0.5-0.9, mean matched IoU). Times are wall seconds of Train (set-up included) and Segment, as the
user waits for them. Run one at a time: a second training on the same cores changes the times. `--screenshot` keeps
a picture of the whole window (widget included) after the first run, as a person sees it.
"""
import argparse, time
from pathlib import Path

import numpy as np

from spoco.napari_plugin import nuclei_sample
from spoco.peers import peer_scores

def run(ndim: int, steps: int, seed: int, shot: Path | None = None) -> dict:
    "One user session on one sample: train, segment, score."
    import napari
    viewer = napari.Viewer(show=False)
    for data, meta, kind in nuclei_sample(ndim, seed): getattr(viewer, f'add_{kind}')(data, **meta)
    _, w = viewer.window.add_plugin_dock_widget('spoco')
    w.image_layer, w.labels_layer = viewer.layers['nuclei'], viewer.layers['painted']
    t0 = time.perf_counter(); w.train(steps=steps, block=True)
    t1 = time.perf_counter(); w.segment(block=True)
    t2 = time.perf_counter()
    truth, painted = viewer.layers['all nuclei'].data, viewer.layers['painted'].data
    row = dict(dims=f'{ndim}D', seed=seed, steps=steps, painted=len(np.unique(painted)) - 1, nuclei=len(np.unique(truth)) - 1,
               **peer_scores([viewer.layers['instances'].data], [truth]), train_s=t1 - t0, segment_s=t2 - t1)
    if shot is not None:
        from PIL import Image
        from qtpy.QtWidgets import QApplication
        viewer.layers['painted'].visible = False; viewer.window.show(); viewer.window.resize(1500, 900)
        for _ in range(20): QApplication.processEvents()  # lay the window and its dock out before the picture
        viewer.reset_view()
        Image.fromarray(viewer.screenshot(canvas_only=False, flash=False)).save(shot)
    viewer.close()
    return row

COLUMNS = ('dims', 'seed', 'steps', 'painted', 'nuclei', 'f1', 'precision', 'recall', 'ap', 'mean_iou', 'train_s', 'segment_s')

def markdown(rows: list) -> str:
    "The rows as a Markdown table."
    show = lambda v: f'{v:.3f}' if isinstance(v, float) and v < 10 else f'{v:.0f}' if isinstance(v, float) else str(v)
    return '\n'.join(['| ' + ' | '.join(COLUMNS) + ' |', '|' + '---|' * len(COLUMNS)] + ['| ' + ' | '.join(show(r[c]) for c in COLUMNS) + ' |' for r in rows])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--dims', type=int, nargs='+', default=[2, 3])
    p.add_argument('--steps', type=int, nargs='+', default=[60, 150, 300])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--out', type=Path, default=Path('napari_bench.md'))
    p.add_argument('--screenshot', type=Path, default=None)
    a = p.parse_args()
    rows = []
    for ndim in a.dims:
        for steps in a.steps:
            for seed in a.seeds:
                rows.append(run(ndim, steps, seed, a.screenshot if not rows else None))
                print(' '.join(f'{c}={rows[-1][c]:.3f}' if isinstance(rows[-1][c], float) else f'{c}={rows[-1][c]}' for c in COLUMNS), flush=True)
                a.out.write_text(markdown(rows) + '\n')
    print(markdown(rows))
