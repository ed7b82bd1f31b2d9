"""StarDist trained from scratch on a split of `bench/peers.py`, then segmenting its test images (run in its own venv).

    python bench/peers_stardist.py SPLIT OUT --budget SECONDS [--anisotropy Z]

SPLIT holds train/{images,masks}/*.tif (sparse masks, 0 = background to StarDist) and test/images/*.tif. The network
is the configuration of StarDist's example notebooks: 2D, 32 rays on a grid of 2; 3D, 96 rays on a golden spiral
scaled by the anisotropy with a grid of (1, 2, 2) or (2, 2, 2). It is trained by `model.train` with random flips,
90-degree rotations and intensity jitter, images normalised to their 1st and 99.8th percentiles, the first training
image doubling as validation data (the only labels a user has), until the budget of seconds is spent (a Keras callback
stops it after the batch that passes it; StarDist then loads its best weights). The test images are segmented twice:
with the thresholds `optimize_thresholds` picks on that validation image (the documented workflow) and with the
defaults (probability 0.5, NMS 0.4). Writes OUT/seg/NAME.tif, OUT/seg_default/NAME.tif and OUT/run.json.
"""
import json, os, time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np
import tifffile
from peers_runner import runner_args
import keras
from csbdeep.utils import normalize
from stardist import Rays_GoldenSpiral, fill_label_holes
from stardist.models import Config2D, Config3D, StarDist2D, StarDist3D


class TimeBudget(keras.callbacks.Callback):
    "Stop training after the batch that spends the budget."
    def __init__(self, seconds):
        super().__init__(); self.seconds, self.steps = seconds, 0
    def on_train_begin(self, logs=None): self.t0 = time.time()
    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if time.time() - self.t0 > self.seconds: self.model.stop_training = True


def augment(x, y):
    "Random flips and 90-degree rotations in the plane (all axes of a 2D image), and intensity jitter."
    axes = (-2, -1)
    k = np.random.randint(4)
    x, y = np.rot90(x, k, axes), np.rot90(y, k, axes)
    for ax in range(x.ndim):
        if np.random.rand() < 0.5: x, y = np.flip(x, ax), np.flip(y, ax)
    return x * np.random.uniform(0.6, 2) + np.random.uniform(-0.2, 0.2), y


def read(split, phase):
    imgs = sorted((split / phase / 'images').glob('*.tif'))
    X = [normalize(tifffile.imread(p).astype(np.float32), 1, 99.8) for p in imgs]
    Y = [fill_label_holes(tifffile.imread(split / phase / 'masks' / p.name).astype(np.int32)) for p in imgs] if phase == 'train' else None
    return imgs, X, Y


if __name__ == '__main__':
    a = runner_args(__doc__)
    _, X, Y = read(a.split, 'train')
    if X[0].ndim == 2:
        conf = Config2D(n_rays=32, grid=(2, 2), n_channel_in=1, train_patch_size=(128, 128), train_tensorboard=False)
        model = StarDist2D(conf, name='stardist', basedir=str(a.out))
    else:
        aniso = (a.anisotropy, 1.0, 1.0)
        grid = tuple(1 if s > 1.5 else 2 for s in aniso)
        patch = tuple(min(s, p) for s, p in zip(X[0].shape, (32, 64, 64)))
        conf = Config3D(rays=Rays_GoldenSpiral(96, anisotropy=aniso), grid=grid, anisotropy=aniso, n_channel_in=1,
                        train_patch_size=patch, train_batch_size=2, train_tensorboard=False)
        model = StarDist3D(conf, name='stardist', basedir=str(a.out))
    model.prepare_for_training()
    budget = TimeBudget(a.budget); model.callbacks.append(budget)
    t0 = time.time()
    model.train(X, Y, validation_data=([X[0]], [Y[0]]), augmenter=augment, epochs=100000, steps_per_epoch=100)
    train_s = time.time() - t0
    t0 = time.time(); model.optimize_thresholds([X[0]], [Y[0]]); tune_s = time.time() - t0
    tuned = dict(model.thresholds._asdict())  # a namedtuple (prob, nms)
    names, Xt, _ = read(a.split, 'test')
    times = {}
    for folder, th in (('seg', tuned), ('seg_default', dict(prob=0.5, nms=0.4))):
        (a.out / folder).mkdir(exist_ok=True)
        t0 = time.time()
        for p, x in zip(names, Xt):
            lab = model.predict_instances(x, prob_thresh=th['prob'], nms_thresh=th['nms'])[0]
            tifffile.imwrite(a.out / folder / p.name, lab.astype(np.uint32))
        times[folder] = time.time() - t0
    (a.out / 'run.json').write_text(json.dumps(dict(train_s=train_s, segment_s=times['seg'], segment_default_s=times['seg_default'],
                                                    steps=budget.steps, tune_s=tune_s, thresholds=tuned), indent=1))
