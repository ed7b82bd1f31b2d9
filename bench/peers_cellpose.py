"""Cellpose 3 trained from scratch on a split of `bench/peers.py`, then segmenting its test images (run in its own venv).

    python bench/peers_cellpose.py SPLIT OUT --budget SECONDS [--anisotropy Z]

SPLIT holds train/{images,masks}/*.tif (sparse masks, 0 = background to Cellpose) and test/images/*.tif. The network is
a fresh `CellposeModel` (no pretrained weights, nuclei's mean diameter 17) trained by `cellpose.train.train_seg`, the
documented training call, with its defaults (AdamW, learning rate 0.005, batches of 8 crops of 224 px) and one batch
per epoch. The number of epochs is the budget divided by the time of one epoch, measured on a short probe run first.
Stacks train on their slices along all three axes after scaling z by the anisotropy, as `do_3D` segments them, and are
segmented with `do_3D=True`. Writes OUT/seg/NAME.tif and OUT/run.json (times in seconds, epochs).
"""
import json, time

import numpy as np
import tifffile
from peers_runner import runner_args
from scipy import ndimage
import torch
from cellpose import dynamics, models, train

PROBE = 5  # epochs of the timing probe
CHANNELS = [0, 0]  # one grey channel


def slices(img, lab, anisotropy):
    "2D training pairs of a stack: its slices along z, y and x after scaling z by `anisotropy`, those with a label."
    if anisotropy != 1:
        img = ndimage.zoom(img, (anisotropy, 1, 1), order=1)
        lab = ndimage.zoom(lab, (anisotropy, 1, 1), order=0)
    pairs = []
    for axis in range(3):
        for i in range(img.shape[axis]):
            l = np.take(lab, i, axis)
            if l.any(): pairs.append((np.take(img, i, axis), l))
    return pairs


def training_pairs(split, anisotropy):
    pairs = []
    for p in sorted((split / 'train' / 'images').glob('*.tif')):
        img, lab = tifffile.imread(p).astype(np.float32), tifffile.imread(split / 'train' / 'masks' / p.name).astype(np.int32)
        pairs += slices(img, lab, anisotropy) if img.ndim == 3 else [(img, lab)] if lab.any() else []
    return [a for a, _ in pairs], [b for _, b in pairs]


def fit(data, flows, epochs, out, name):
    model = models.CellposeModel(gpu=False, pretrained_model=False, diam_mean=17.0)
    path = train.train_seg(model.net, train_data=data, train_labels=flows, channels=CHANNELS, n_epochs=epochs,
                           nimg_per_epoch=8, min_train_masks=1, save_path=str(out), model_name=name)[0]
    return path


if __name__ == '__main__':
    a = runner_args(__doc__)
    t0 = time.time()
    data, labels = training_pairs(a.split, a.anisotropy)
    flows = dynamics.labels_to_flows(labels, device=torch.device("cpu"))
    prep = time.time() - t0
    t0 = time.time(); fit(data, flows, PROBE, a.out, 'probe'); probe = time.time() - t0
    epochs = max(1, int(a.budget / (probe / PROBE)))
    t0 = time.time(); path = fit(data, flows, epochs, a.out, 'cellpose'); train_s = time.time() - t0
    model = models.CellposeModel(gpu=False, pretrained_model=str(path))
    diameter = float(model.net.diam_labels.item())
    (a.out / 'seg').mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    for p in sorted((a.split / 'test' / 'images').glob('*.tif')):
        img = tifffile.imread(p).astype(np.float32)
        kw = dict(do_3D=True, anisotropy=a.anisotropy, z_axis=0) if img.ndim == 3 else {}
        masks = model.eval(img, channels=CHANNELS, diameter=diameter, **kw)[0]
        tifffile.imwrite(a.out / 'seg' / p.name, np.asarray(masks).astype(np.uint32))
    seg = time.time() - t0
    (a.out / 'run.json').write_text(json.dumps(dict(train_s=train_s, segment_s=seg, steps=epochs, probe_s=probe, prepare_s=prep,
                                                    training_images=len(data), diameter=diameter), indent=1))
