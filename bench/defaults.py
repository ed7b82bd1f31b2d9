"""Which network and learning rate a user's own nuclei should train with by default: candidates at the same time budget.

    python bench/defaults.py [--minutes 5] [--data 2d 3d] [--out DIR]

Data and protocol as `bench/peers.py` (the built-in nuclei laid out as a user's folder or volumes, a tenth of each
training image's nuclei kept by `spoco.peers.write_split`, complete masks on the unseen test images), and spoco's arm of
that benchmark: steps planned from a probe's time per step, a stop at the budget, then prediction and clustering with the
defaults. Only the settings below change between rows; the paper's CVPPP network (6 levels, 16..512 feature maps,
learning rate 2e-4) is the first of each. Writes OUT/defaults.csv and OUT/defaults.md (default OUT: defaults).
"""
import argparse, json
from pathlib import Path

from spoco.data.io import write_table
from spoco.data.nuclei import write_synthetic_nuclei
from spoco.peers import peers_markdown, score_folder, write_split

from peers import DATA, run_spoco

PAPER = (16, 32, 64, 128, 256, 512)
SMALL = (16, 32, 64, 128)
CANDIDATES = {  # name -> the settings that differ from bench/peers.py's spoco arm
    '2d': {'paper net, lr 2e-4, patch 256': dict(model_feature_maps=PAPER, learning_rate=2e-4, patch_size=(256, 256)),
           'paper net, lr 2e-4': dict(model_feature_maps=PAPER, learning_rate=2e-4),
           'paper net, lr 1e-3': dict(model_feature_maps=PAPER, learning_rate=1e-3),
           '16..128, lr 2e-4': dict(learning_rate=2e-4),
           '16..128, lr 1e-3': dict(),
           '16..128, lr 1e-3, patch 256': dict(patch_size=(256, 256))},
    '3d': {'paper net, lr 2e-4, patch 16x64x64': dict(model_feature_maps=PAPER, learning_rate=2e-4, patch_size=(16, 64, 64)),
           '16..128, lr 2e-4': dict(learning_rate=2e-4),
           '16..128, lr 1e-3': dict(),
           'paper net, lr 1e-3, patch 16x64x64': dict(model_feature_maps=PAPER, learning_rate=1e-3, patch_size=(16, 64, 64))},
}

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--minutes', type=float, default=5.0, help='training budget per setting')
    p.add_argument('--data', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES))
    p.add_argument('--seed', type=int, default=0, help='which nuclei the split keeps')
    p.add_argument('--out', type=Path, default=Path('defaults'))
    a = p.parse_args()
    rows = []
    for key in a.data:
        d = DATA[key]
        split = a.out / key / 'split'
        write_split(write_synthetic_nuclei(a.out / 'data' / key, layout='folder', **d['write']), split, 0.1, a.seed)
        for i, (name, settings) in enumerate(CANDIDATES[key].items()):
            run = a.out / key / str(i)
            if (run / 'run.json').is_file(): info = json.loads((run / 'run.json').read_text())
            else:
                run.mkdir(parents=True, exist_ok=True)
                info = run_spoco(split, run, a.minutes * 60, d['ndim'], **settings)
                (run / 'run.json').write_text(json.dumps(info, indent=1))
            rows.append(dict(data=d['name'], fraction=0.1, method=name) | score_folder(run / 'seg', split)
                        | {k: info[k] for k in ('train_s', 'segment_s', 'steps')})
            print(peers_markdown(rows[-1:]).splitlines()[-1], flush=True)
    write_table(a.out / 'defaults.csv', rows, list(rows[0]))
    (a.out / 'defaults.md').write_text(peers_markdown(rows) + '\n')
    print(peers_markdown(rows))
