"""Volumes clustered block by block: the seams, and memory and time as the volume grows.

    python bench/segment_volume.py --model-path RUN/last_checkpoint.pytorch            # both parts
    python bench/segment_volume.py --model-path RUN/last_checkpoint.pytorch --part seams
    python bench/segment_volume.py --model-path RUN/last_checkpoint.pytorch --part scale --scales 1 2 4

RUN is a 3D run of the README's 3D commands (`spoco_train --ds-name nuclei3d ...`). Both parts use volumes spoco
never saw: synthetic nuclei (`make_nuclei`, the built-in 3D generator's settings: radius 9, slices 2 apart) of
48x160x160 voxels, 300 to 500 nuclei each, predicted with `spoco_predict`.

*seams*: two such volumes clustered whole and in blocks of several sizes (`spoco.blocks`), with the defaults
otherwise. Per setting: test F1 at IoU 0.5 pooled over both volumes; agreement (F1 at IoU 0.5) with whole-volume
clustering, next to the agreement of whole-volume clustering with itself under another seed (mean-shift samples its
points at random, so that is the floor any other clustering is measured against); the recall of true nuclei cut by
a face between block cores against the recall of the others (a seam splits or merges the cut ones); seconds.

*scale*: the first volume tiled k x k x k times (ids kept unique), then `spoco_predict` and `spoco_cluster` as a user
runs them, each in a fresh process: seconds, peak resident memory, microseconds per voxel, F1, and the size of the
embeddings (f and g) the file holds. `--whole-up-to` also clusters the smaller ones whole for reference.
"""
import argparse, os, subprocess, sys, tempfile, time
from pathlib import Path

import h5py
import numpy as np

from spoco.blocks import block_grid
from spoco.cluster import ClusterSettings
from spoco.cluster_predictions import Truth, cluster_file
from spoco.data.nuclei import _write_nucleus, make_nuclei
from spoco.metrics import iou_matrix, match_pairs, matching_dataset

SHAPE, SPACING, SEEDS = (48, 160, 160), (2.0, 1.0, 1.0), (101, 102)


def bin_path(name): return str(Path(sys.executable).parent / name)


def run(cmd: list) -> dict:
    "Run a command in a fresh process: its seconds and peak resident memory (MiB)."
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    out, err = p.stdout.read(), p.stderr.read()
    if status != 0: raise SystemExit(f'{" ".join(cmd)} failed:\n{err}')
    return dict(seconds=time.perf_counter() - t, peak_mib=usage.ru_maxrss / 1024, out=out)


def write_volumes(root: Path):
    for phase in ('train', 'val', 'test'): (root / phase).mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        img, lab = make_nuclei(SHAPE, seed=seed, spacing=SPACING)
        _write_nucleus(root / 'test', f'vol{i}', img, lab, 'h5', '.tif', SPACING)


def recall_by_cut(seg, gt, block):
    "Recall at IoU 0.5 of the true objects cut by a face between block cores, and of the others."
    owner = np.zeros(gt.shape, np.int64)
    for i, b in enumerate(block_grid(gt.shape, block)): owner[b.core] = i
    ids = np.unique(gt)[1:]
    cut = np.array([len(np.unique(owner[gt == o])) > 1 for o in ids])
    _, cols = match_pairs(iou_matrix(seg, gt), 0.5)
    found = np.zeros(len(ids), bool); found[cols] = True
    return found[cut].sum(), cut.sum(), found[~cut].sum(), (~cut).sum()


def seams(model: str, work: Path, blocks: list):
    root, pred = work / 'seams', work / 'seams_pred'
    write_volumes(root)
    run([bin_path('spoco_predict'), '--model-path', model, '--output-dir', str(pred), '--ds-name', 'volumes', '--ds-path', str(root)])
    whole_block = tuple(s + 1 for s in SHAPE)
    settings = [('whole', ClusterSettings(block=whole_block)), ('whole, seed 1', ClusterSettings(block=whole_block, seed=1))]
    settings += [(f'blocks {"x".join(map(str, b))}', ClusterSettings(block=b)) for b in blocks]
    names = [f'vol{i}' for i in range(len(SEEDS))]
    gts = [h5py.File(root / 'test' / f'{n}.h5')['label'][:] for n in names]
    print(f'{"setting":<22} {"F1":>6} {"agree":>6} {"cut found":>10} {"others found":>13} {"seconds":>8}')
    reference = None
    for label, s in settings:
        t, segs = time.perf_counter(), []
        for n, gt in zip(names, gts):
            cluster_file(pred / f'{n}_predictions.h5', None, root / 'test' / f'{n}.h5', s, Truth('volumes'))
            with h5py.File(pred / f'{n}_predictions.h5') as f: segs.append(f['segmentation'][:])
        seconds = time.perf_counter() - t
        reference = reference or segs
        f1 = matching_dataset(segs, gts, 0.5).f1
        agree = matching_dataset(segs, reference, 0.5).f1
        grid = s.block if s.block != whole_block else BLOCK_FOR_CUTS
        c = np.sum([recall_by_cut(seg, gt, grid) for seg, gt in zip(segs, gts)], 0)
        print(f'{label:<22} {f1:6.3f} {agree:6.3f} {c[0]:>4}/{c[1]:<5} {c[2]:>6}/{c[3]:<6} {seconds:8.1f}', flush=True)


BLOCK_FOR_CUTS = (32, 128, 128)  # the whole-volume rows count the objects cut by this grid's faces, for comparison


def tiled(src: Path, dst: Path, k: int):
    "Write the volume of `src` tiled k times along every axis, its labels kept unique."
    with h5py.File(src) as f: raw, lab = f['raw'][:], f['label'][:].astype(np.uint32)
    shape, step = tuple(s * k for s in lab.shape), int(lab.max()) + 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(dst, 'w') as f:
        r = f.create_dataset('raw', shape, raw.dtype, chunks=True)
        r.attrs['element_size_um'] = SPACING
        l = f.create_dataset('label', shape, np.uint32, chunks=True)
        for n, (a, b, c) in enumerate(np.ndindex(k, k, k)):
            where = tuple(slice(i * s, (i + 1) * s) for i, s in zip((a, b, c), lab.shape))
            r[where] = raw; l[where] = np.where(lab > 0, lab + n * step, 0)
    return shape


def scale(model: str, work: Path, scales: list, whole_up_to: int):
    write_volumes(work / 'seams')
    print(f'{"voxels":>12} {"embeddings GiB":>15} {"stage":<18} {"seconds":>8} {"peak MiB":>9} {"us/voxel":>9} {"F1":>6}')
    for k in scales:
        root, pred = work / f'scale{k}', work / f'scale{k}_pred'
        for phase in ('train', 'val'): (root / phase).mkdir(parents=True, exist_ok=True)
        shape = tiled(work / 'seams' / 'test' / 'vol0.h5', root / 'test' / 'v.h5', k)
        voxels = int(np.prod(shape))
        r = run([bin_path('spoco_predict'), '--model-path', model, '--output-dir', str(pred), '--ds-name', 'volumes', '--ds-path', str(root)])
        with h5py.File(pred / 'v_predictions.h5') as f: emb = 2 * f['embeddings1'].size * 4 / 2 ** 30
        print(f'{voxels:>12,} {emb:15.2f} {"predict":<18} {r["seconds"]:8.1f} {r["peak_mib"]:9.0f} {1e6 * r["seconds"] / voxels:9.2f} {"":>6}', flush=True)
        kinds = [('cluster, blocks', [])] + ([('cluster, whole', ['--block', *(str(s + 1) for s in shape)])] if voxels <= whole_up_to else [])
        for label, extra in kinds:
            r = run([bin_path('spoco_cluster'), '--ds-name', 'volumes', '--emb-dir', str(pred), '--gt-dir', str(root / 'test'), '--num-workers', '0', *extra])
            f1 = next(row for row in (pred / 'scores.csv').read_text().splitlines() if row.startswith('v,')).split(',')
            cols = (pred / 'scores.csv').read_text().splitlines()[0].split(',')
            print(f'{voxels:>12,} {emb:15.2f} {label:<18} {r["seconds"]:8.1f} {r["peak_mib"]:9.0f} {1e6 * r["seconds"] / voxels:9.2f} {float(f1[cols.index("f1")]):6.3f}', flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model-path', required=True, help="a 3D run's checkpoint")
    p.add_argument('--part', choices=('seams', 'scale', 'both'), default='both')
    p.add_argument('--blocks', nargs='+', default=['32x128x128', '32x64x64', '16x64x64'], help='block shapes of the seams part, DxHxW')
    p.add_argument('--scales', type=int, nargs='+', default=[1, 2, 4], help='tilings of the scale part (k: k^3 copies)')
    p.add_argument('--whole-up-to', type=int, default=10_000_000, help='scale part: also cluster whole volumes up to this many voxels')
    p.add_argument('--work', default=None, help='folder for the volumes and predictions (default: a temporary one)')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(a.work or tmp); work.mkdir(parents=True, exist_ok=True)
        if a.part in ('seams', 'both'): seams(a.model_path, work, [tuple(map(int, b.split('x'))) for b in a.blocks])
        if a.part in ('scale', 'both'): scale(a.model_path, work, a.scales, a.whole_up_to)


if __name__ == '__main__':
    main()
