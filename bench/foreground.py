"""The learnt foreground against Li's threshold and a more flexible classifier, on the built-in nuclei (no training needed).

    python bench/foreground.py [--seeds 0 1 2]

For each setting (a few or many training images, 2D and 3D) the labelled objects are drawn with three seeds, as a
user's sparse labels would be; each classifier is fitted on the training images' pixels (labelled against unlabelled)
and scored by the IoU of its foreground (probability > 0.5) with the true foreground of unseen images:

- learnt: `spoco.foreground.fit_foreground`, a logistic regression fitted jointly with the labelled share c;
- perceptron: a two-layer perceptron (32 units) fitted labelled against unlabelled and divided by c estimated on
  labelled objects held out in two folds (Elkan & Noto's classical recipe);
- Li: Li's threshold of the lightly smoothed image (`spoco.cluster.threshold_mask`), which needs no labels.
"""
import argparse

import numpy as np
import torch
from torch import nn

from spoco.cluster import threshold_mask
from spoco.data.census import object_extents
from spoco.data.io import keep_objects, sample_objects
from spoco.data.nuclei import make_nuclei
from spoco.foreground import feature_sigmas, fit_foreground, foreground_probability, pixel_features

SETTINGS = {  # name: (shape, spacing, training images, fraction labelled, test images)
    '2D, 1 image 128x128, 30% labelled': ((128, 128), None, 1, 0.3, 4),
    '2D, 3 images 256x256, 10% labelled': ((256, 256), None, 3, 0.1, 4),
    '2D, 16 images 256x256, 10% labelled': ((256, 256), None, 16, 0.1, 4),
    '3D, 8 stacks 32x64x64 (z spacing 2), 10% labelled': ((32, 64, 64), (2, 1, 1), 8, 0.1, 4),
}


def perceptron(images, labels, sigmas, seed, hidden=32, steps=600):
    "Elkan-Noto's recipe with a two-layer perceptron: P(labelled | x) / c, c from held-out objects. Returns a function image -> P(object)."
    X = torch.from_numpy(np.concatenate([pixel_features(im, sigmas).reshape(-1, im[0].size).T for im in images]))
    ids = torch.from_numpy(np.concatenate([np.where(l > 0, l + k * 100_000, 0).ravel() for k, l in enumerate(labels)]))
    def fit(X, y, s):
        torch.manual_seed(s); g = torch.Generator().manual_seed(s)
        mu, sd = X.mean(0), X.std(0) + 1e-6
        net = nn.Sequential(nn.Linear(X.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        opt = torch.optim.Adam(net.parameters(), 1e-2)
        for _ in range(steps):
            i = torch.randint(len(X), (4096,), generator=g)
            loss = nn.functional.binary_cross_entropy_with_logits(net((X[i] - mu) / sd)[:, 0], y[i].float())
            opt.zero_grad(); loss.backward(); opt.step()
        return lambda Z: torch.sigmoid(net((Z - mu) / sd)[:, 0]).detach()
    objects = torch.unique(ids[ids > 0]); folds = objects[torch.randperm(len(objects), generator=torch.Generator().manual_seed(seed))].chunk(2)
    shares = []
    for fold in folds:
        out = torch.isin(ids, fold)
        f = fit(X[~out], ids[~out] > 0, seed + 1)
        shares.append(float(f(X[out]).mean()) * int((ids > 0).sum()) / int((ids[~out] > 0).sum()))
    f, c = fit(X, ids > 0, seed), float(np.mean(shares))
    return lambda im: (f(torch.from_numpy(pixel_features(im, sigmas).reshape(-1, im[0].size).T)) / c).clamp(0, 1).numpy().reshape(im.shape[1:])


def iou(a, b): return (a & b).sum() / (a | b).sum()


def run(name, shape, spacing, n_train, ratio, n_test, seeds):
    train = [make_nuclei(shape, seed=s, spacing=spacing) for s in range(n_train)]
    test = [make_nuclei(shape, seed=1000 + s, spacing=spacing) for s in range(n_test)]
    li = np.mean([iou(threshold_mask(im[None]), lab > 0) for im, lab in test])
    rows = {'learnt': [], 'perceptron': []}
    for seed in seeds:
        kept = [keep_objects(lab, sample_objects(lab, ratio, 100 * seed + k)) for k, (_, lab) in enumerate(train)]
        sigmas = feature_sigmas(np.median(np.concatenate([object_extents(k) for k in kept]), 0))  # as training derives them
        clf = fit_foreground([im[None] for im, _ in train], kept, sigmas, seed=seed)
        rows['learnt'].append(np.mean([iou(foreground_probability(clf, im[None]) > 0.5, lab > 0) for im, lab in test]))
        mlp = perceptron([im[None] for im, _ in train], kept, sigmas, seed)
        rows['perceptron'].append(np.mean([iou(mlp(im[None]) > 0.5, lab > 0) for im, lab in test]))
    show = lambda v: f'{np.mean(v):.3f} ({min(v):.2f}-{max(v):.2f})'
    print(f'| {name} | {show(rows["learnt"])} | {show(rows["perceptron"])} | {li:.3f} |', flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='seeds of the labelled objects')
    a = p.parse_args()
    print('| setting (IoU with the true foreground of unseen images; mean (range) over label seeds) | learnt (spoco) | perceptron | Li |')
    print('|---|---|---|---|')
    for name, (shape, spacing, n, ratio, n_test) in SETTINGS.items(): run(name, shape, spacing, n, ratio, n_test, a.seeds)
