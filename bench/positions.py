"""Positions in the embeddings and the clustering bandwidth, swept on the built-in crowded data at 10% of the objects labelled.

    python bench/positions.py rosettes [--steps 300] [--factors 0 0.25 0.35 0.5 0.75] [--out DIR]
    python bench/positions.py nuclei   [--steps 300] ...
    python bench/positions.py nuclei3d [--steps 300] ...

For each factor, SPOCO trains with positions at `factor` times the median extent of the labelled objects along each axis
(0: no positions; `spoco.data.census.auto_coord_px` is the rule, whose default factor this sweep chose), then the validation images are clustered by
mean-shift at several bandwidths (in units of delta_var) and scored (SBD for rosettes in their masks, F1 at IoU 0.5 for
nuclei above Li's threshold). Two bounds are printed beside them: the same bandwidths inside the true foreground, and
the nearest-true-mean bound (every true object pixel given to the object whose mean embedding is nearest). The last
column is the bandwidth `spoco.cluster.choose_bandwidth` picks from the labelled training objects alone. A stopped sweep
continues where it stopped (finished runs are read from OUT/positions.csv).
"""
import argparse, csv, time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from spoco.cluster import ClusterSettings, cluster, clustering_mask
from spoco.curve import main_score
from spoco.data.views import standardize
from spoco.metrics import matching_dataset, sbd
from spoco.predict import load_predictor, prediction_dataset, predict_embeddings
from spoco.data.census import auto_coord_px, label_census
from spoco.train import SpocoConfig, build_data, train

BANDWIDTHS = (0.5, 0.75, 1.0, 1.5, 2.0, 2.5)

def config(data: str, steps: int, out: Path) -> tuple:
    "(training configuration, clustering options) of one data set, as bench/curves.py trains them."
    import curves
    if data in ('rosettes', 'nuclei'):
        cfg, opts = curves.config(data, steps, out)
    else:
        cfg = SpocoConfig(ds_name='nuclei3d', ds_path=str(out / 'data'), model_name='UNet3D', batch_size=4, num_workers=0,
                          model_feature_maps=(16, 32, 64), learning_rate=1e-3, max_num_iterations=steps,
                          checkpoint_every=steps, log_after_iters=max(1, steps // 10))
        opts = ClusterSettings(min_size=30, foreground='threshold')
    return replace(cfg, instance_ratio=0.1, val_every=steps + 1), opts

def nearest_mean(emb, gt):
    "Every true object pixel given to the object whose mean embedding is nearest: the most any clustering can get."
    X = emb.flatten(1).T
    lab = torch.from_numpy(gt.ravel().astype(np.int64))
    k = int(lab.max())
    means = torch.zeros(k + 1, X.shape[1]).index_add_(0, lab, X) / torch.bincount(lab, minlength=k + 1).clamp(min=1)[:, None].float()
    idx = torch.cdist(X[lab > 0], means[1:]).argmin(1) + 1
    out = np.zeros(gt.size, np.int64); out[(lab > 0).numpy()] = idx.numpy()
    return out.reshape(gt.shape)

def score(segs, gts, metric):
    if metric == 'sbd': return float(np.mean([sbd(s, g) for s, g in zip(segs, gts)]))
    return float(matching_dataset(segs, gts, 0.5).f1)

def evaluate(run_dir: Path, opts: ClusterSettings, metric: str) -> dict:
    net, cfg = load_predictor(run_dir / 'last_checkpoint.pytorch')
    net.eval()
    ds = prediction_dataset(cfg, 'val')
    rows = {f'bw{b}': [] for b in BANDWIDTHS} | {f'true_fg_bw{b}': [] for b in BANDWIDTHS} | {'nearest_mean': []}
    gts = []
    for i in range(len(ds.samples)):
        d = ds.load(i)
        emb, _ = predict_embeddings(net, standardize(torch.from_numpy(d['image'])[None])[0])
        mask = clustering_mask(opts.foreground, d['image'], d['fg'])
        for b in BANDWIDTHS:
            rows[f'bw{b}'].append(cluster(emb, replace(opts, delta_var=cfg.loss_delta_var, bandwidth=b * cfg.loss_delta_var), mask=mask).astype(np.int64))
            rows[f'true_fg_bw{b}'].append(cluster(emb, replace(opts, delta_var=cfg.loss_delta_var, bandwidth=b * cfg.loss_delta_var), mask=d['label'] > 0).astype(np.int64))
        rows['nearest_mean'].append(nearest_mean(emb, d['label']))
        gts.append(d['label'])
    out = {k: score(v, gts, metric) for k, v in rows.items()}
    out['chosen_bw'] = torch.load(run_dir / 'last_checkpoint.pytorch', weights_only=True).get('clustering', {}).get('bandwidth')
    out['coord_px'] = ' '.join(f'{p:g}' for p in cfg.coord_px) if cfg.coord_px else '0'
    return out

if __name__ == '__main__':
    import sys; sys.path.insert(0, str(Path(__file__).parent))
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('data', choices=('rosettes', 'nuclei', 'nuclei3d'))
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--factors', type=float, nargs='+', default=[0, 0.25, 0.35, 0.5, 0.75])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=None)
    a = p.parse_args()
    out = Path(a.out or f'positions_{a.data}_{a.steps}')
    cfg, opts = config(a.data, a.steps, out)
    metric = main_score(cfg.ds_name)
    table = out / 'positions.csv'
    done = {float(r['factor']) for r in csv.DictReader(table.open())} if table.is_file() else set()
    for factor in a.factors:
        if factor in done: continue
        run = out / 'runs' / f'factor{factor:g}'
        t0 = time.time()
        rc = replace(cfg, manual_seed=a.seed, checkpoint_dir=str(run), coord_px=(0.0,))
        if factor: rc = replace(rc, coord_px=auto_coord_px(label_census(build_data(rc)[0]), factor))
        if not (run / 'last_checkpoint.pytorch').is_file(): train(rc, progress=False)
        row = dict(factor=factor, **evaluate(run, opts, metric), seconds=round(time.time() - t0))
        new = not table.is_file()
        with table.open('a', newline='') as fh:
            w = csv.DictWriter(fh, list(row)); w.writeheader() if new else None; w.writerow(row)
        print(row, flush=True)
