"""The command line the peers' runners share (`peers_cellpose.py`, `peers_stardist.py`); it runs in the peers' environments, without spoco."""
import argparse
from pathlib import Path


def runner_args(doc: str) -> argparse.Namespace:
    "SPLIT, OUT (created), --budget seconds and --anisotropy, parsed from the command line of a runner whose docstring is `doc`."
    ap = argparse.ArgumentParser(description=doc.split('\n\n')[0])
    ap.add_argument('split', type=Path, help='a split written by spoco.peers.write_split')
    ap.add_argument('out', type=Path, help='where the model, the segmentations (seg/) and run.json go')
    ap.add_argument('--budget', type=float, required=True, help='training seconds')
    ap.add_argument('--anisotropy', type=float, default=1.0, help='z spacing over xy spacing of stacks')
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    return a
