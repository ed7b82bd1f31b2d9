"""Draw the figure of the index page from a finished demo run: `python tools/index_figure.py demo`.

One test rosette: the input, its leaves as a SPOCO user would label 10% of a training image, the PCA
of the embeddings of f and of g, the predicted instances and the ground truth. Writes nbs/images/spoco.png.
"""
import sys
from pathlib import Path

import h5py
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from spoco.data.cvppp import CVPPP
from spoco.predictions import SUFFIX
from spoco.viz import overlay


def main(demo='demo', out='nbs/images/spoco.png', index=0):
    demo = Path(demo)
    test, train = CVPPP(demo / 'data', 'test'), CVPPP(demo / 'data', 'train', instance_ratio=0.1)
    d, t, stem = test.load(index), train.load(0), test.samples[index].image.stem
    with h5py.File(demo / 'predictions' / f'{stem}{SUFFIX}', 'r') as f: seg = f['segmentation'][:]
    img = overlay(d['image'], np.zeros(d['image'].shape[1:], int))
    panels = [(overlay(t['image'], t['label'], 0.8), 'training: 10% of the leaves labelled'),
              (img, 'a test image'),
              (np.asarray(Image.open(demo / 'predictions' / f'{stem}_predictions_1.png').convert('RGB')), 'embeddings of f (PCA)'),
              (np.asarray(Image.open(demo / 'predictions' / f'{stem}_predictions_2.png').convert('RGB')), 'embeddings of g (PCA)'),
              (overlay(img, seg.astype(np.int64), 0.8), 'instances (mean-shift)'),
              (overlay(img, d['label'], 0.8), 'ground truth')]
    fig, axs = plt.subplots(1, len(panels), figsize=(2.2 * len(panels), 2.6))
    for ax, (p, title) in zip(axs, panels): ax.imshow(p); ax.set_title(title, fontsize=7); ax.set_axis_off()
    fig.tight_layout(); Path(out).parent.mkdir(parents=True, exist_ok=True); fig.savefig(out, dpi=90); plt.close(fig)
    print(f'wrote {out}')


if __name__ == '__main__':
    main(*sys.argv[1:])
