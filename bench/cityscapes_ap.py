"""Compare `spoco.metrics.cityscapes_ap` with the official Cityscapes instance evaluation on random data.

Run: `python bench/cityscapes_ap.py [--trials 20] [--images 5] [--seed 0]` (not part of CI; needs PyPI once).

The official evaluator (cityscapesScripts, `evaluation/evalInstanceLevelSemanticLabeling.py`) needs NumPy < 2, so
this script builds its own virtual environment under /tmp (`/tmp/spoco_cityscapes_eval`) with `cityscapesscripts`
and `numpy<2`, and runs the official side there (`--official DIR`). Each trial writes a small Cityscapes-style data
set: instanceIds ground truth with road, void regions, car and person groups, objects of every things class (some
under 100 pixels, some of the ignored classes caravan and trailer), and predictions as a label image (disjoint
objects: good copies, shifted and cropped copies, wrong classes, blobs on void, groups and road), with confidences
drawn from a few values so that ties occur. Both evaluators score the same files; the script prints the largest
difference over all trials of the mean AP, AP50, every class's AP and AP50 and every (class, threshold) AP, and of
the single-class AP (cars alone, no classes given); as a control that the data exercises the ignore rules, it
also prints how far our mean AP moves when void and groups are turned into road.
"""
import argparse, json, os, subprocess, sys, tempfile, venv
from pathlib import Path

import numpy as np
from PIL import Image

VENV = Path('/tmp/spoco_cityscapes_eval')
CLASSES = (24, 25, 26, 27, 28, 31, 32, 33)
NAMES = ('person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle')


def official_python() -> Path:
    "The Python of a virtual environment holding cityscapesscripts and numpy<2, created on first use."
    py = VENV / 'bin' / 'python'
    if not py.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([py, '-m', 'pip', 'install', '-q', 'numpy<2', 'cityscapesscripts', 'pillow'], check=True)
    return py


def scene(rng, size=(64, 128)):
    "Ground truth instanceIds and a predicted label image with its confidences and classes."
    h, w = size
    gt = np.full(size, 7, np.int64)                                   # road
    for v in rng.choice([0, 1, 4, 5, 9, 14, 18, 29], 3):              # void regions
        y, x = rng.integers(0, h - 8), rng.integers(0, w - 8)
        gt[y:y + rng.integers(4, 16), x:x + rng.integers(4, 24)] = v
    for v in rng.choice([24, 26], rng.integers(0, 3)):                # groups
        y, x = rng.integers(0, h - 6), rng.integers(0, w - 6)
        gt[y:y + rng.integers(3, 14), x:x + rng.integers(3, 20)] = v
    counts, objects = {}, []
    for _ in range(rng.integers(3, 9)):
        c = int(rng.choice(CLASSES + (29, 30), p=[0.2, 0.08, 0.3, 0.06, 0.06, 0.04, 0.06, 0.1, 0.05, 0.05]))
        k = counts.get(c, 0); counts[c] = k + 1
        y, x = rng.integers(0, h - 4), rng.integers(0, w - 4)
        hh, ww = rng.integers(3, 22), rng.integers(3, 30)
        gt[y:y + hh, x:x + ww] = c * 1000 + k
        objects.append((c * 1000 + k, c))
    seg, conf, cls, n = np.zeros(size, np.int64), {}, {}, 0
    levels = np.array([0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 0.9, 1.0])
    def add(mask, c):
        nonlocal n
        if not mask.any(): return
        n += 1; seg[mask] = n; conf[n] = float(rng.choice(levels)); cls[n] = c
    for inst, c in objects:                                            # a copy of each object, altered
        m = gt == inst
        if not m.any() or rng.random() < 0.15: continue
        r = rng.random()
        if r < 0.3: m = np.roll(m, (rng.integers(-2, 3), rng.integers(-3, 4)), (0, 1))
        elif r < 0.5: m = m & (np.arange(w)[None, :] < np.flatnonzero(m.any(0)).mean() + rng.integers(-2, 6))
        c = c if c in CLASSES and rng.random() < 0.85 else int(rng.choice(CLASSES))
        add(m, c)
    for _ in range(rng.integers(1, 6)):                                # blobs anywhere: on void, groups, road
        y, x = rng.integers(0, h - 3), rng.integers(0, w - 3)
        m = np.zeros(size, bool); m[y:y + rng.integers(2, 12), x:x + rng.integers(2, 16)] = True
        add(m, int(rng.choice(CLASSES)))
    present = set(np.unique(seg).tolist()) - {0}
    return gt, seg, {i: conf[i] for i in present}, {i: cls[i] for i in present}


def write_trial(folder: Path, rng, n_images: int) -> list:
    "Write ground truth PNGs, prediction masks and the official result files; return the arrays for our side."
    data = []
    for i in range(n_images):
        gt, seg, conf, cls = scene(rng)
        stem = f'city_{i:06d}_000019'
        (folder / 'gt').mkdir(parents=True, exist_ok=True); (folder / 'pred' / stem).mkdir(parents=True, exist_ok=True)
        Image.fromarray(gt.astype(np.uint16)).save(folder / 'gt' / f'{stem}_gtFine_instanceIds.png')
        lines = []
        for j in sorted(conf):
            Image.fromarray(((seg == j) * 255).astype(np.uint8)).save(folder / 'pred' / stem / f'{j}.png')
            lines.append(f'{stem}/{j}.png {cls[j]} {conf[j]!r}')
        (folder / 'pred' / f'{stem}.txt').write_text('\n'.join(lines) + '\n')
        data.append((gt, seg, conf, cls))
    return data


def run_official(folder: Path) -> dict:
    "In this (old-NumPy) environment: the official evaluation of one trial folder, as its result dict."
    os.chdir(folder)                                   # it writes matches.json into the working folder
    from cityscapesscripts.evaluation import evalInstanceLevelSemanticLabeling as ev
    a = ev.args
    a.gtInstancesFile, a.exportFile = str(folder / 'gtInstances.json'), str(folder / 'result.json')
    a.quiet, a.JSONOutput, a.predictionPath = True, False, str((folder / 'pred').resolve())
    gts = sorted(str(p.resolve()) for p in (folder / 'gt').glob('*_instanceIds.png'))
    preds = [str((folder / 'pred' / f"{Path(g).name.replace('_gtFine_instanceIds.png', '')}.txt").resolve()) for g in gts]
    res = ev.evaluateImgLists(preds, gts, a)
    return dict(ap=res['averages']['allAp'], ap50=res['averages']['allAp50%'], matrix=res['resultApMatrix'][0],
                classes={k: [v['ap'], v['ap50%']] for k, v in res['averages']['classes'].items()})


def diff(a, b) -> float:
    "Largest absolute difference of two arrays; NaN against NaN counts as equal, NaN against a number as infinite."
    a, b = np.asarray(a, float), np.asarray(b, float)
    both = np.isnan(a) & np.isnan(b)
    d = np.where(both, 0.0, np.abs(a - b))
    return float(np.nanmax(np.where(np.isnan(d), np.inf, d))) if d.size else 0.0


def compare(data, official) -> dict:
    "Our numbers for one trial against the official ones: the largest difference of each kind."
    from spoco.metrics import cityscapes_ap
    gts, segs, confs, classes = zip(*data)
    ours = cityscapes_ap(segs, gts, confs, classes=classes, class_ids=CLASSES)
    ours_matrix = [[np.nan] * 10 for _ in CLASSES]
    for k, c in enumerate(CLASSES):                                   # the per-threshold matrix, class by class
        one = cityscapes_ap([np.where(np.isin(s, [i for i, v in cl.items() if v == c]), s, 0) for s, cl in zip(segs, classes)],
                            gts, confs, class_ids=(c,))
        ours_matrix[k] = one['aps']
    cars = ours_matrix[CLASSES.index(26)]
    road = cityscapes_ap(segs, [np.where(g < 1000, 7, g) for g in gts], confs, classes=classes, class_ids=CLASSES)
    return dict(mean=diff([ours['ap'], ours['ap50']], [official['ap'], official['ap50']]),
                classes=diff([[ours['classes'][n]['ap'], ours['classes'][n]['ap50']] for n in NAMES],
                             [official['classes'][n] for n in NAMES]),
                matrix=diff(ours_matrix, official['matrix']),
                car_pooled=diff(cars, official['matrix'][CLASSES.index(26)]),
                control=diff([road['ap'], road['ap50']], [official['ap'], official['ap50']]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--trials', type=int, default=20, help='random data sets')
    p.add_argument('--images', type=int, default=5, help='images per data set')
    p.add_argument('--seed', type=int, default=0, help='seeds the data')
    p.add_argument('--official', default=None, help=argparse.SUPPRESS)   # internal: run the official side on a folder
    a = p.parse_args()
    if a.official is not None: print(json.dumps(run_official(Path(a.official)))); return
    py, rng = official_python(), np.random.default_rng(a.seed)
    worst, skipped, stats = {}, 0, dict(objects=0, predictions=0)
    with tempfile.TemporaryDirectory() as tmp:
        for t in range(a.trials):
            folder = Path(tmp) / f'trial{t}'
            data = write_trial(folder, rng, a.images)
            r = subprocess.run([py, __file__, '--official', str(folder)], capture_output=True, text=True)
            if r.returncode != 0:
                skipped += 1; print(f'trial {t}: the official evaluation failed: {r.stderr.strip().splitlines()[-1]}'); continue
            d = compare(data, json.loads(r.stdout.strip().splitlines()[-1]))
            for k, v in d.items(): worst[k] = max(worst.get(k, 0.0), v)
            stats['objects'] += sum(int((np.unique(g) >= 1000).sum()) for g, *_ in data)
            stats['predictions'] += sum(len(c) for _, _, c, _ in data)
    print(f"{a.trials - skipped} trials compared ({skipped} skipped), {a.images} images each, {stats['objects']} true objects, "
          f"{stats['predictions']} predictions")
    control = worst.pop('control')
    for k, v in worst.items(): print(f'largest difference, {k}: {v:.3g}')
    print(f'largest difference overall: {max(worst.values()):.3g}')
    print(f'control, our AP with void and groups turned into road (so not ignored): largest difference {control:.3g}')


if __name__ == '__main__':
    if '--official' not in sys.argv: sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
