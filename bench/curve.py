"""Does labelling the objects `spoco_suggest` ranks first help more than labelling as many random objects?

From a SPOCO run with 10% of the leaves labelled on synthetic rosettes, label K more leaves per training image, either the
leaves under the most unsure suggested objects (the leaf at each suggestion's centre pixel, skipping background and leaves
already labelled, as an annotator following the list would) or K random unlabelled leaves; retrain from scratch with the
same budget and compare the validation SBD, over seeds.

    python bench/curve.py --out /tmp/suggest_bench --seeds 0 1 --iterations 60 --batch-size 2 --size 64 --leaves 5 10 --n-train 12 --n-val 6
"""
import argparse, json, shutil, time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from spoco.curve import score_run
from spoco.data.cvppp import CVPPP
from spoco.data.io import keep_objects, read_labels, relabel_consecutive
from spoco.data.synthetic import colour_labels, write_synthetic_cvppp
from spoco.demo import min_size
from spoco.suggest import suggest_objects
from spoco.train import SpocoConfig, load_checkpoint, train


def trained(cfg: SpocoConfig) -> Path:
    "Train `cfg` unless its run is finished already; return its last checkpoint."
    last = Path(cfg.checkpoint_dir) / 'last_checkpoint.pytorch'
    if not (last.is_file() and load_checkpoint(last)['iteration'] >= cfg.max_num_iterations): train(cfg, resume=last.is_file(), progress=False)
    return last


def with_labels(root: Path, new_root: Path, keep: dict) -> Path:
    "A copy of a CVPPP-layout data set whose training label images hold only the objects in `keep` (image name -> ids)."
    if new_root.exists(): shutil.rmtree(new_root)
    shutil.copytree(root, new_root)
    for s in CVPPP(new_root, 'train').samples:
        lab = keep_objects(relabel_consecutive(read_labels(s.label)), keep[s.name])
        Image.fromarray(colour_labels(lab)).save(s.label)
    return new_root


def choose(root: Path, kept: dict, rows: list, k: int, seed: int) -> tuple:
    "(suggested, random): image name -> ids labelled, the kept ones plus up to k new leaves per image, the same number in both."
    sugg, rand, rng, hits, tried = {}, {}, np.random.default_rng(seed), 0, 0
    for s in CVPPP(root, 'train').samples:
        full, have = relabel_consecutive(read_labels(s.label)), set(kept[s.name])
        new = []
        for r in (r for r in rows if r['image'] == s.image.stem):
            if len(new) == k: break
            i, tried = int(full[r['y'], r['x']]), tried + 1
            if i and i not in have and i not in new: new.append(i); hits += 1
        free = sorted(set(np.unique(full).tolist()) - {0} - have)
        sugg[s.name] = sorted(have | set(new))
        rand[s.name] = sorted(have | set(rng.choice(free, len(new), replace=False).tolist()))
    return sugg, rand, dict(new_per_image=float(np.mean([len(v) - len(kept[n]) for n, v in sugg.items()])), hit_rate=hits / max(tried, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default='/tmp/suggest_bench'); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--iterations', type=int, default=200); p.add_argument('--size', type=int, default=96)
    p.add_argument('--leaves', type=int, nargs=2, default=[6, 12]); p.add_argument('--k', type=int, default=1)
    p.add_argument('--ranking', default='fg'); p.add_argument('--arms', nargs='+', default=['suggested', 'random']); p.add_argument('--n-train', type=int, default=16); p.add_argument('--batch-size', type=int, default=4); p.add_argument('--n-val', type=int, default=6)
    a = p.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out)
    root = write_synthetic_cvppp(out / 'data', a.n_train, a.n_val, 0, a.size, seed=0, n_leaves=tuple(a.leaves))
    ms = min_size(a.size)
    base = SpocoConfig(ds_name='synthetic', ds_path=str(root), patch_size=(a.size, a.size), batch_size=a.batch_size, num_workers=0, device='cpu',
                       model_feature_maps=(16, 32, 64), learning_rate=1e-3, max_num_iterations=a.iterations, instance_ratio=0.1,
                       checkpoint_every=max(1, a.iterations // 4), val_every=a.iterations + 1, log_after_iters=50)
    results = []
    for seed in a.seeds:
        t0 = time.perf_counter()
        cfg = replace(base, manual_seed=seed, checkpoint_dir=str(out / f'base_s{seed}'))
        last = trained(cfg)
        res = dict(seed=seed, base=score_run(cfg.checkpoint_dir, min_size=ms)['sbd'])
        kept = load_checkpoint(last)['kept']
        rows = suggest_objects(last, out / f'suggestions_{a.ranking}_s{seed}', top=3, min_size=ms, ranking=a.ranking, pictures=seed == a.seeds[0], progress=False)
        sugg, rand, stats = choose(root, kept, rows, a.k, seed)
        res.update(stats, labelled_before=float(np.mean([len(v) for v in kept.values()])))
        for arm, keep in ((f'suggested_{a.ranking}', sugg), ('random', rand)):
            if arm.split('_')[0] not in a.arms: continue
            data = with_labels(root, out / f'data_{arm}_s{seed}', keep)
            arm_cfg = replace(base, ds_name='cvppp', ds_path=str(data), instance_ratio=1.0, manual_seed=seed, checkpoint_dir=str(out / f'{arm}_s{seed}'))
            trained(arm_cfg)
            res[arm] = score_run(arm_cfg.checkpoint_dir, min_size=ms)['sbd']
        res['seconds'] = round(time.perf_counter() - t0)
        results.append(res); print(json.dumps(res), flush=True)
    for arm in ('base', f'suggested_{a.ranking}', 'random'):
        v = [r[arm] for r in results if arm in r]
        print(f'{arm:>9}: mean SBD {np.mean(v):.3f}  (seeds: {", ".join(f"{x:.3f}" for x in v)})')
    (out / 'results.json').write_text(json.dumps(results, indent=1))


if __name__ == '__main__': main()
