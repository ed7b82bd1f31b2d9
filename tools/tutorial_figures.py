"""The real runs shown on the tutorial pages: each runs the tutorial's documented commands at a useful CPU budget on a
built-in data set, then draws one figure into nbs/images/ and prints the score table the page quotes.

    python tools/tutorial_figures.py 3d  [--steps 2000] [--work DIR]   # 83_tutorial_3d: nuclei3d, 10% labelled
    python tools/tutorial_figures.py own [--steps 1500] [--work DIR]  # 82_tutorial_own_data: 2D nuclei as your own folder

The commands are printed as they run, with the wall time of each; a finished step is not run again (delete WORK to
start over). The tiny runs inside the notebooks check that the path works; these show what it gives.
"""
import argparse, csv, shlex, shutil, subprocess, sys, time
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def run(words: list, done: Path | None = None) -> float:
    "Run one console script of this environment, as a user would; skip it when `done` exists. Returns seconds."
    if done is not None and done.exists(): return 0.0
    words = [str(w) for w in words]
    print('$', shlex.join(words), flush=True)
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / words[0]), *words[1:]], check=True)
    return time.perf_counter() - t


def scores(pred: Path) -> dict:
    "The `mean` row of spoco_cluster's scores.csv."
    rows = {r['image']: r for r in csv.DictReader(open(pred / 'scores.csv'))}
    return {k: float(v) for k, v in rows['mean'].items() if k != 'image' and v}


def figure(pred: Path, gt_of, out: Path, title: str):
    "Image, embeddings (PCA of f), instances found and ground truth of the first predictions file (middle slice of a stack)."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from spoco.predictions import prediction_files, prediction_name
    from spoco.viz import overlay, pca_rgb
    path = prediction_files(pred)[0]
    with h5py.File(path) as f: raw, emb, seg = f['raw'][:], f['embeddings1'][:], f['segmentation'][:]
    gt = gt_of(prediction_name(path))
    if seg.ndim == 3:
        z = seg.shape[0] // 2
        raw, emb, seg, gt = raw[:, z], emb[:, z], seg[z], gt[z]
    img = overlay(raw, np.zeros(seg.shape, int))
    panels = [(img, 'image'), (pca_rgb(emb), 'embeddings of f (PCA)'), (overlay(img, seg.astype(np.int64), 0.8), f'instances found ({len(np.unique(seg)) - 1})'),
              (overlay(img, gt.astype(np.int64), 0.8), f'ground truth ({len(np.unique(gt)) - 1})')]
    fig, axs = plt.subplots(1, 4, figsize=(12, 3.4))
    for ax, (p, t) in zip(axs, panels): ax.imshow(p); ax.set_title(t, fontsize=9); ax.set_axis_off()
    fig.suptitle(title, fontsize=10); fig.tight_layout(); fig.savefig(out, dpi=70); plt.close(fig)
    print('wrote', out)


def tutorial_3d(work: Path, steps: int):
    data, rn, pred = work / 'data', work / 'run', work / 'pred'
    t = run(['spoco_train', '--ds-name', 'nuclei3d', '--ds-path', data, '--model-name', 'UNet3D',
             '--max-num-iterations', steps, '--val-every', steps, '--checkpoint-dir', rn], rn / 'last_checkpoint.pytorch')
    run(['spoco_predict', '--model-path', rn / 'last_checkpoint.pytorch', '--output-dir', pred], pred / 'done')
    (pred / 'done').touch()
    run(['spoco_cluster', '--ds-name', 'nuclei3d', '--emb-dir', pred, '--gt-dir', data / 'test'])
    from spoco.data.sets import read_label_file
    figure(pred, lambda name: read_label_file(data / 'test' / f'{name}.h5'), ROOT / 'nbs' / 'images' / 'tutorial_3d.png',
           f'nuclei3d, 10% of the nuclei labelled, {steps} steps on a CPU: the middle slice of a test stack')
    return t, scores(pred)


def tutorial_own(work: Path, steps: int):
    from spoco.data.sets import data_set
    builtin, mine, rn, pred = work / 'builtin', work / 'mine', work / 'run', work / 'pred'
    if not mine.exists():  # the built-in nuclei as a user's folder, a tenth of the nuclei of each training image labelled
        data_set('nuclei').prepare(builtin)
        from spoco.data.folder import ImageFolder
        from PIL import Image
        ds = ImageFolder(builtin, 'train', instance_ratio=0.1, seed=0)
        for phase in ('train', 'val', 'test'):
            shutil.copytree(builtin / phase / 'images', mine / phase / 'images')
            if phase != 'train': shutil.copytree(builtin / phase / 'masks', mine / phase / 'masks'); continue
            (mine / 'train' / 'masks').mkdir()
            for i, s in enumerate(ds.samples): Image.fromarray(ds.load(i)['label'].astype(np.uint16)).save(mine / 'train' / 'masks' / f'{s.name}.png')
    t = run(['spoco_train', '--ds-name', 'folder', '--ds-path', mine, '--patch-size', 128, 128,
             '--max-num-iterations', steps, '--val-every', steps, '--checkpoint-dir', rn], rn / 'last_checkpoint.pytorch')
    run(['spoco_predict', '--model-path', rn / 'last_checkpoint.pytorch', '--output-dir', pred], pred / 'done')
    (pred / 'done').touch()
    run(['spoco_cluster', '--ds-name', 'folder', '--emb-dir', pred, '--gt-dir', mine / 'test' / 'masks'])
    from spoco.data.sets import read_label_file
    figure(pred, lambda name: read_label_file(next((mine / 'test' / 'masks').glob(f'{name}.*'))), ROOT / 'nbs' / 'images' / 'tutorial_own_data.png',
           f'your own folder: 2D nuclei, a tenth of them labelled, {steps} steps on a CPU: a test image')
    return t, scores(pred)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('tutorial', choices=('3d', 'own'))
    p.add_argument('--steps', type=int, default=None, help='training steps (default: 2000 for 3d, 1500 for own)')
    p.add_argument('--work', default=None, help='working folder (default: tutorial_TUTORIAL)')
    a = p.parse_args()
    work = Path(a.work or f'tutorial_{a.tutorial}')
    seconds, s = (tutorial_3d(work, a.steps or 2000) if a.tutorial == '3d' else tutorial_own(work, a.steps or 1500))
    print(f'training {seconds:.0f} s; test images: ' + ', '.join(f'{k} {v:.3f}' for k, v in s.items()))
