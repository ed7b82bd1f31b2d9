"""spoco, Cellpose and StarDist trained on the same sparse labels with the same time budget, scored on the same unseen images.

    python bench/peers.py [--minutes 5] [--fractions 0.1 1] [--data 2d 3d] [--methods spoco cellpose stardist] [--out DIR]
    python bench/peers.py --quick        # a smoke run on tiny data with 20-second budgets

Data: the built-in nuclei (`spoco.data.nuclei`): 2D, 16 training and 4 test images of 256x256; 3D, 8 training and 2
test stacks of 32x64x64 sampled twice as coarsely in z. For each fraction, `spoco.peers.write_split` keeps that share
of each training image's nuclei (the same masks for every method) and the complete test masks for scoring only.

Methods, each trained from scratch for the same wall-clock budget on this machine, one at a time:
- spoco with the settings of its nuclei tutorials (the built-in nuclei's patch; the defaults of a folder or volumes: a
  4-level U-Net of 16 to 128 feature maps at learning rate 1e-3, positions, foreground and bandwidth derived as usual),
  its optimizer steps (the length of its cosine schedule) set from a short probe run's time per step and time around
  the steps, and stopped at the budget should the steps run slower; then predicted and clustered as `spoco_predict`
  and `spoco_cluster` do;
- Cellpose 3 (`cellpose<4`) and StarDist (`stardist` with `tensorflow-cpu`), each in its own virtual environment built
  here on first use under ENVS (default /tmp/spoco_peers), run by `bench/peers_cellpose.py` and `bench/peers_stardist.py`
  (their docstrings say how they train and segment).
Scores by `spoco.peers.score_folder` (F1, precision, recall at IoU 0.5, AP over IoU 0.5-0.9, mean matched IoU).
Writes OUT/peers.csv, OUT/peers.md and OUT/peers.png (default OUT: peers, or peers_quick), and each run's segmentations,
times and log under OUT/DATA/FRACTION/METHOD; a finished run is kept when the script is run again. A peer that cannot be
installed or run is reported with its error and the others go on.
"""
import argparse, json, subprocess, sys, time, traceback, venv
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import tifffile

from spoco.cluster_predictions import cluster_predictions
from spoco.data.io import write_table
from spoco.data.nuclei import write_synthetic_nuclei
from spoco.data.sets import data_set
from spoco.peers import COLUMNS, peers_markdown, plot_peers, score_folder, write_split
from spoco.predict import load_predictor, predict_dataset, prediction_dataset
from spoco.train import Callback, SpocoConfig, train

HERE = Path(__file__).resolve().parent
PEERS = {'cellpose': ['torch==2.13.0', 'cellpose<4'], 'stardist': ['stardist', 'tensorflow-cpu']}  # pip requirements
DATA = {'2d': dict(name='2D nuclei', ndim=2, write=dict(ndim=2, n_train=16, n_val=0, n_test=4), anisotropy=1.0),
        '3d': dict(name='3D nuclei', ndim=3, write=dict(ndim=3, n_train=8, n_val=0, n_test=2, size=64, spacing=(2, 1, 1)), anisotropy=2.0)}
QUICK = {'2d': dict(n_train=3, n_test=1, size=128), '3d': dict(n_train=2, n_test=1, size=48)}
PROBE = 12  # steps of spoco's timing probe


def peer_python(name: str, envs: Path) -> Path:
    "The Python of `name`'s own virtual environment, built on first use (a marker file says it is complete)."
    root = envs / name
    py, done = root / 'bin' / 'python', root / '.complete'
    if not done.exists():
        print(f'building the {name} environment in {root} (once)', flush=True)
        venv.create(root, with_pip=True, clear=True)
        subprocess.run([py, '-m', 'pip', 'install', '-q', *PEERS[name]], check=True)
        done.write_text(' '.join(PEERS[name]))
    return py


class StepClock(Callback):
    "The time after every optimizer step; with `until`, a stop requested once that time (`time.perf_counter`) has passed."
    def __init__(self, until: float | None = None): self.until = until
    def before_fit(self, t): self.times = []
    def after_step(self, t):
        self.times.append(time.perf_counter())
        if self.until is not None and self.times[-1] > self.until: t.stop = True


def run_spoco(split: Path, out: Path, budget: float, ndim: int, **settings) -> dict:
    "Train spoco for `budget` seconds (steps from a probe, a stop at the budget), predict and cluster the test images into out/seg."
    base = SpocoConfig(ds_name='folder' if ndim == 2 else 'volumes', ds_path=str(split), model_name=f'UNet{ndim}D',
                       patch_size=data_set('nuclei' if ndim == 2 else 'nuclei3d').patch, num_workers=0, val_every=10 ** 9)
    base = replace(base, **settings)
    clock = StepClock()
    t0 = time.perf_counter(); train(replace(base, max_num_iterations=PROBE, checkpoint_dir=str(out / 'probe')), cbs=(clock,), progress=False)
    probe = time.perf_counter() - t0
    per_step = (clock.times[-1] - clock.times[1]) / (len(clock.times) - 2)
    setup = probe - PROBE * per_step  # the census and the foreground fit before the first step, the bandwidth choice after the last
    steps = max(PROBE, int((budget - setup) / per_step))
    t0 = time.perf_counter()
    cfg = replace(base, max_num_iterations=steps, checkpoint_every=steps, checkpoint_dir=str(out / 'run'))
    stop = StepClock(until=t0 + budget)
    train(cfg, cbs=(stop,), progress=False)
    train_s = time.perf_counter() - t0
    t0 = time.time()
    net, cfg = load_predictor(out / 'run' / 'last_checkpoint.pytorch')
    files = predict_dataset(net, prediction_dataset(cfg), out / 'pred', progress=False, overwrite=True)
    cluster_predictions(out / 'pred', cfg.ds_name, num_workers=0, progress=False)
    (out / 'seg').mkdir(exist_ok=True)
    for f in files:
        with h5py.File(f) as h: tifffile.imwrite(out / 'seg' / (Path(f).name[:-len('_predictions.h5')] + '.tif'), h['segmentation'][:].astype(np.uint32))
    return dict(train_s=train_s, segment_s=time.time() - t0, steps=len(stop.times), planned_steps=steps, probe_s=probe)


def run_peer(name: str, split: Path, out: Path, budget: float, anisotropy: float, envs: Path) -> dict:
    "Run bench/peers_NAME.py in the peer's environment; its log goes to out/log.txt."
    py = peer_python(name, envs)
    out.mkdir(parents=True, exist_ok=True)
    with (out / 'log.txt').open('w') as log:
        subprocess.run([py, HERE / f'peers_{name}.py', split, out, '--budget', str(budget), '--anisotropy', str(anisotropy)],
                       stdout=log, stderr=subprocess.STDOUT, check=True)
    return json.loads((out / 'run.json').read_text())


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--minutes', type=float, default=5.0, help='training budget per method and setting')
    p.add_argument('--fractions', type=float, nargs='+', default=[0.1, 1.0])
    p.add_argument('--data', nargs='+', choices=list(DATA), default=list(DATA))
    p.add_argument('--methods', nargs='+', choices=['spoco', *PEERS], default=['spoco', *PEERS])
    p.add_argument('--seed', type=int, default=0, help='which nuclei each split keeps')
    p.add_argument('--envs', type=Path, default=Path('/tmp/spoco_peers'), help='where the peer environments are built')
    p.add_argument('--out', type=Path, default=None)
    p.add_argument('--quick', action='store_true', help='tiny data and 20-second budgets: a smoke run')
    a = p.parse_args()
    out = a.out or Path('peers_quick' if a.quick else 'peers')
    budget = 20.0 if a.quick else a.minutes * 60
    rows = []
    for key in a.data:
        d = DATA[key]
        src = write_synthetic_nuclei(out / 'data' / key, layout='folder', **(d['write'] | (QUICK[key] if a.quick else {})))
        for fraction in a.fractions:
            split = out / key / f'{fraction:g}' / 'split'
            census = write_split(src, split, fraction, a.seed)
            kept = sum(c['labelled'] for c in census['train'].values()), sum(c['objects'] for c in census['train'].values())
            print(f"{d['name']}, {fraction:g} labelled: {kept[0]} of {kept[1]} training nuclei; {len(census['test'])} test images", flush=True)
            for method in a.methods:
                run = split.parent / method
                row = dict(data=d['name'], fraction=fraction, method=method)
                try:
                    if (run / 'run.json').is_file(): info = json.loads((run / 'run.json').read_text())
                    else:
                        run.mkdir(parents=True, exist_ok=True)
                        info = run_spoco(split, run, budget, d['ndim']) if method == 'spoco' else run_peer(method, split, run, budget, d['anisotropy'], a.envs)
                        (run / 'run.json').write_text(json.dumps(info, indent=1))
                    rows.append(row | score_folder(run / 'seg', split) | {k: info[k] for k in ('train_s', 'segment_s', 'steps')})
                    if (run / 'seg_default').is_dir():
                        rows.append(row | dict(method=f'{method} (default thresholds)') | score_folder(run / 'seg_default', split)
                                    | dict(train_s=info['train_s'], segment_s=info.get('segment_default_s'), steps=info['steps']))
                except Exception as e:
                    err = (run / 'log.txt').read_text().strip().splitlines()[-1:] if (run / 'log.txt').is_file() else []
                    print(f"{method} failed on {d['name']} at {fraction:g}: {e}; {' '.join(err)}", file=sys.stderr, flush=True)
                    traceback.print_exc()
                    rows.append(row | dict(steps=None, error=f'{type(e).__name__}: {e}; {" ".join(err)}'))
                print(peers_markdown(rows[-1:]).splitlines()[-1], flush=True)
    write_table(out / 'peers.csv', rows, list(COLUMNS) + ['error'])
    (out / 'peers.md').write_text(peers_markdown(rows) + '\n')
    plot_peers([r for r in rows if 'f1' in r]).savefig(out / "peers.png", dpi=110)
    print(peers_markdown(rows))
