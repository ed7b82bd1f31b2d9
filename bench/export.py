"""A trained model through its bioimage.io package: the same embeddings and objects as spoco's own commands?

    python bench/export.py --model-path CKPT [--out DIR]

Writes DIR/model.zip with `spoco_export`'s function, runs `bioimageio.core.test_model` on it, then for every test
image of the checkpoint's data set compares three ways to its embeddings and objects: spoco's (`predict_dataset` and
`cluster_predictions`, as `spoco_predict` and `spoco_cluster` do), the package through `bioimageio.core` as
`spoco.export.package_embeddings` runs it (the image clipped as spoco clips it, whole), and the package as any consumer
runs it (`bioimageio.core.predict`: the raw image, a mirrored border of the halo, statistics before clipping), each
clustered by spoco with the same settings. Prints the largest embedding difference from spoco's and F1 at IoU 0.5
against the test masks and against spoco's own objects (needs the extra: pip install 'spoco[bioimageio]').
"""
import argparse, shutil
from pathlib import Path

import h5py
import numpy as np
import torch

from spoco.cluster_predictions import cluster_predictions
from spoco.data.sets import read_label_file
from spoco.export import ExportRun, export_package, package_embeddings, stored_image
from spoco.metrics import matching
from spoco.model import add_coords
from spoco.predict import load_predictor, predict_dataset, prediction_dataset

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model-path', required=True)
    p.add_argument('--out', type=Path, default=Path('export_check'))
    a = p.parse_args()
    from bioimageio.core import predict, test_model
    package = export_package(ExportRun(str(a.model_path), str(a.out / 'model.zip'), overwrite=True))
    summary = test_model(package)
    print(f'test_model: {summary.status} ({len(summary.details)} checks)')
    net, cfg = load_predictor(a.model_path)
    ds = prediction_dataset(cfg)
    ndim = len(ds.load(0)['image'].shape) - 1
    ways = {w: a.out / w for w in ('spoco', 'package', 'consumer')}
    for d in ways.values(): shutil.rmtree(d, ignore_errors=True)
    files = predict_dataset(net, ds, ways['spoco'], progress=False)
    px = tuple(cfg.coord_px)
    for i, (f, s) in enumerate(zip(files, ds.samples)):
        raw = stored_image(s.image, ndim, (1,) * ndim)  # the image as stored, whole where no side exceeds TEST_SIDE
        if raw.shape[1:] != ds.load(i)['image'].shape[1:]: raise SystemExit(f'{s.image} exceeds TEST_SIDE: this check reads test images whole')
        plain = predict(model=str(package), inputs={'raw': raw[None]}).members['embeddings'].data.values
        for way, emb in (('package', package_embeddings(package, raw)),
                         ('consumer', add_coords(torch.from_numpy(np.asarray(plain, np.float32)), px)[0].numpy())):
            ways[way].mkdir(exist_ok=True)
            shutil.copy(f, ways[way])
            with h5py.File(ways[way] / Path(f).name, 'r+') as h: h['embeddings1'][...] = emb
    for d in ways.values(): cluster_predictions(d, cfg.ds_name, num_workers=0, progress=False)
    masks = Path(cfg.ds_path) / 'test' / 'masks'
    def seg(way, name):
        with h5py.File(ways[way] / name) as h: return h['segmentation'][:], h['embeddings1'][:]
    rows = []
    for way in ways:
        truth, own, diff = [], [], 0.0
        for f, s in zip(files, ds.samples):
            mine, emb = seg(way, Path(f).name)
            ref, ref_emb = seg('spoco', Path(f).name)
            gt = read_label_file(next(masks.glob(f'{s.name}.*')))
            truth.append(matching(mine, gt)); own.append(matching(mine, ref))
            diff = max(diff, float(np.abs(emb - ref_emb).max()))
        f1 = lambda ms: 2 * sum(m.tp for m in ms) / max(1, sum(2 * m.tp + m.fp + m.fn for m in ms))
        rows.append(f'| {way} | {diff:.2g} | {f1(truth):.3f} | {f1(own):.3f} |')
    print('| embeddings | largest difference from spoco\'s | F1@0.5 vs the test masks | F1@0.5 vs spoco\'s objects |\n|---|---|---|---|')
    print('\n'.join(rows))
