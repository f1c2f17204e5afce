#!/usr/bin/env python3
"""PyTorch reference for `npm run bench:speed` (bench/speed.mjs).

Trains the same architectures as imdad's backbones (plugins/backbone-*/src/*-encoder.ts)
with the same head objective (the logistic max-margin head of
packages/core/src/heads/), the same batch composition (half of every batch
labeled anomalies drawn with replacement), the same per-epoch trimming of the
highest-scoring 10 % unlabeled rows, Adam (lr 1e-3) and the same L2 penalty on
the kernels, on the same rows, and prints one JSON line with samples/s.

Usage: /usr/bin/python3 bench/torch_reference.py --case mlp-cardio [--epochs 4] [--rows N]
       [--batch-size 128] [--threads N] [--data-dir /work/shared/data]
Installs nothing: without torch (Debian's python3-torch) it prints
{"case": ..., "skipped": "..."} and exits 0.
Threads: torch's default (torch.get_num_threads()) unless --threads is given.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    case = sys.argv[sys.argv.index("--case") + 1] if "--case" in sys.argv else None
    print(json.dumps({"case": case, "skipped": f"PyTorch not available ({error}); install Debian's python3-torch"}))
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "data"))


# ---------------------------------------------------------------- data (same choices as bench/speed.mjs)

def minmax(x):
    lo = x.min(axis=0)
    hi = x.max(axis=0)
    scale = np.where(hi > lo, 1.0 / np.where(hi > lo, hi - lo, 1.0), 0.0)
    return ((x - lo) * scale).astype(np.float32)


def label_first(y, count):
    """Training labels: the first `count` anomalies (by row index) are labeled 1, every other row 0."""
    labels = np.zeros(len(y), dtype=np.uint8)
    labels[np.flatnonzero(y == 1)[:count]] = 1
    return labels


def tabular(path, rows, nla):
    data = np.load(path)
    x = data["X"].astype(np.float32)
    y = data["y"].astype(np.int64)
    if rows and rows < len(x):
        x, y = x[:rows], y[:rows]
    return minmax(x), label_first(y, nla)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist_images(folder, rows, nla):
    images = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))
    digits = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
    if rows and rows < len(images):
        images, digits = images[:rows], digits[:rows]
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]  # NCHW for torch; imdad uses NHWC
    return x, label_first((digits != 0).astype(np.int64), nla)  # digit 0 normal, others anomalies


# ---------------------------------------------------------------- architectures

def default_hidden_units(width):
    first = min(256, max(64, 2 ** math.ceil(math.log2(2 * width))))
    return [first, first // 2]


class NoAffineBatchNorm(nn.BatchNorm2d):
    """imdad's BatchNorm: epsilon 1e-4, momentum 0.1 (PyTorch terms), no scale, no shift."""

    def __init__(self, channels):
        super().__init__(channels, eps=1e-4, momentum=0.1, affine=False)


def mlp(width, embedding_dim=32):
    """MlpEncoder defaults: two hidden layers (defaultHiddenUnits), leaky ReLU 0.1, biases on, no batch norm."""
    layers, previous = [], width
    for units in default_hidden_units(width):
        layers += [nn.Linear(previous, units), nn.LeakyReLU(0.1)]
        previous = units
    layers.append(nn.Linear(previous, embedding_dim))
    return nn.Sequential(*layers)


def cnn(side=28, channels=1, embedding_dim=32, filters=(8, 4), kernel=5):
    """CnnEncoder defaults (grayscale): [conv 5x5 same, no bias -> BN -> leaky ReLU 0.1 -> max pool 2] x (8, 4) -> dense 32, no bias."""
    layers, previous = [], channels
    for count in filters:
        layers += [nn.Conv2d(previous, count, kernel, padding=kernel // 2, bias=False), NoAffineBatchNorm(count), nn.LeakyReLU(0.1), nn.MaxPool2d(2, 2)]
        previous = count
    pooled = side >> len(filters)
    layers += [nn.Flatten(), nn.Linear(previous * pooled * pooled, embedding_dim, bias=False)]
    return nn.Sequential(*layers)


class ResidualBlock(nn.Module):
    def __init__(self, inputs, filters, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, filters, 3, stride, 1, bias=False)
        self.bn1 = NoAffineBatchNorm(filters)
        self.conv2 = nn.Conv2d(filters, filters, 3, 1, 1, bias=False)
        self.bn2 = NoAffineBatchNorm(filters)
        self.proj = None
        if stride != 1 or inputs != filters:
            self.proj = nn.Sequential(nn.Conv2d(inputs, filters, 1, stride, bias=False), NoAffineBatchNorm(filters))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    """ResnetEncoder defaults: 3x3 stem (16) -> BN -> ReLU, stages [1, 1] of basic blocks (16, 32 stride 2), GAP, dense 32 (no bias)."""

    def __init__(self, channels=1, width=16, blocks_per_stage=(1, 1), embedding_dim=32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1, bias=False), NoAffineBatchNorm(width), nn.ReLU())
        blocks, previous = [], width
        for stage, count in enumerate(blocks_per_stage):
            filters = width * 2 ** stage
            for block in range(count):
                blocks.append(ResidualBlock(previous, filters, 2 if stage > 0 and block == 0 else 1))
                previous = filters
        self.blocks = nn.Sequential(*blocks)
        self.embedding = nn.Linear(previous, embedding_dim, bias=False)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.embedding(x.mean(dim=(2, 3)))


def init_like_imdad(model):
    # Glorot uniform for dense and CNN kernels (He normal for ResNet convs); only the speed matters here.
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


# ---------------------------------------------------------------- the logistic max-margin head

class Head(nn.Module):
    """f(phi) = ||phi||^2 + w.phi + b; loss = relu(R^2) * lambda / n + mean softplus(f) over unlabeled + mean softplus(-f) over anomalies."""

    def __init__(self, dim):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(dim))
        self.b = nn.Parameter(torch.tensor(-1.0))

    def score(self, phi):
        return (phi * phi).sum(1) + phi @ self.w + self.b

    def loss(self, phi, anomaly_mask, training_rows):
        f = self.score(phi)
        unlabeled = 1.0 - anomaly_mask
        radius2 = (self.w * self.w).sum() / 4 - self.b
        normal = (F.softplus(f) * unlabeled).sum() / unlabeled.sum().clamp(min=1)
        anomaly = (F.softplus(-f) * anomaly_mask).sum() / anomaly_mask.sum().clamp(min=1)
        return F.relu(radius2) / training_rows + normal + anomaly


def embed(model, x, batch):
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", required=True, choices=["mlp-cardio", "mlp-mnist", "cnn-mnist", "resnet-mnist"])
    parser.add_argument("--epochs", type=int, default=4, help="epochs; the first is a warm-up and is not timed")
    parser.add_argument("--rows", type=int, default=0, help="use only the first N rows (0: all)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--nla", type=int, default=10, help="labeled anomalies")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    default_threads = torch.get_num_threads()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    if args.case == "mlp-cardio":
        x, y = tabular(os.path.join(args.data_dir, "adbench", "6_cardio.npz"), args.rows, args.nla)
        model = mlp(x.shape[1])
    elif args.case == "mlp-mnist":
        x, y = tabular(os.path.join(args.data_dir, "adbench", "24_mnist.npz"), args.rows, args.nla)
        model = mlp(x.shape[1])
    else:
        x, y = mnist_images(os.path.join(args.data_dir, "mnist"), args.rows, args.nla)
        model = cnn() if args.case == "cnn-mnist" else ResNet()
    init_like_imdad(model)
    x = torch.from_numpy(np.ascontiguousarray(x))
    with torch.no_grad():
        dim = model.eval()(x[:2]).shape[1]
    head = Head(dim)

    unlabeled = np.flatnonzero(y == 0)
    anomalies = np.flatnonzero(y == 1)
    batch = args.batch_size
    per_batch_anomalies = max(1, round(batch * 0.5)) if len(anomalies) else 0
    per_batch_unlabeled = max(1, batch - per_batch_anomalies)
    kernels = [p for name, p in model.named_parameters() if name.endswith("weight")]
    optimizer = torch.optim.Adam([*model.parameters(), *head.parameters()], lr=1e-3)
    weight_decay = 1e-5
    training_rows = len(x)

    # Warm start of the head, as HypersphereHeadModel.warmStart: center at the mean embedding, radius at the 0.9 quantile.
    model.eval()
    with torch.no_grad():
        phi = embed(model, x[torch.from_numpy(unlabeled)], batch)
        center = phi.mean(0)
        radius2 = torch.quantile(((phi - center) ** 2).sum(1), 0.9)
        head.w.copy_(-2 * center)
        head.b.copy_((center * center).sum() - radius2)

    timed_rows = 0
    timed_seconds = 0.0
    epoch_rates = []
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        rows_this_epoch = unlabeled
        if epoch > 1:  # trimming, as MaxMarginTrainer: drop the 10 % highest-scoring unlabeled rows
            model.eval()
            with torch.no_grad():
                scores = head.score(embed(model, x[torch.from_numpy(unlabeled)], batch * 8)).numpy()
            keep = max(1, round(len(unlabeled) * 0.9))
            rows_this_epoch = unlabeled[np.argsort(scores, kind="stable")[:keep]]
        model.train()
        order = rng.permutation(rows_this_epoch)
        seen = 0
        loss_sum = 0.0
        for start in range(0, len(order), per_batch_unlabeled):
            normals = order[start:start + per_batch_unlabeled]
            drawn = anomalies[rng.integers(0, len(anomalies), per_batch_anomalies)] if per_batch_anomalies else normals[:0]
            rows = torch.from_numpy(np.concatenate([normals, drawn]))
            mask = torch.cat([torch.zeros(len(normals)), torch.ones(len(drawn))])
            optimizer.zero_grad(set_to_none=True)
            loss = head.loss(model(x[rows]), mask, training_rows)
            loss = loss + weight_decay / 2 * sum((k * k).sum() for k in kernels)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(rows)  # imdad reads the loss back every step too
            seen += len(rows)
        seconds = time.perf_counter() - started
        epoch_rates.append(seen / seconds)
        if epoch > 1 or args.epochs == 1:
            timed_rows += seen
            timed_seconds += seconds

    # Scoring: head.score(model(x)) in inference mode, batches of 2048, over all rows (median of 3 passes).
    model.eval()
    with torch.no_grad():
        head.score(model(x[:2048]))  # warm-up
        passes = []
        for _ in range(3):  # the median of three passes, as bench/speed.mjs
            started = time.perf_counter()
            for start in range(0, len(x), 2048):
                head.score(model(x[start:start + 2048])).numpy()
            passes.append(time.perf_counter() - started)
        score_seconds = sorted(passes)[1]

    print(json.dumps({
        "case": args.case,
        "framework": f"pytorch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "defaultThreads": default_threads,
        "rows": len(x),
        "batchSize": batch,
        "epochs": args.epochs,
        "trainSamplesPerSec": timed_rows / timed_seconds,
        "epochSamplesPerSec": [round(r, 1) for r in epoch_rates],
        "scoreSamplesPerSec": len(x) / score_seconds,
        "finalLoss": loss_sum / max(seen, 1),
    }))


if __name__ == "__main__":
    main()
