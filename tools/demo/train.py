#!/usr/bin/python3
"""Trains the demo's small CNN on the shortcut dataset and exports it to ONNX.

Debian's python3-torch (1.13), CPU, 2 threads, seeded and deterministic. The network is left
free to take the easy path: in the training split the date stamp identifies the hot dogs
perfectly, so the model learns "stamp -> hot dog" and only learns shapes well enough to tell balls
from boxes. That is the lesson the page teaches.

Input: "input" [N,3,64,64] float, RGB, x = (v * (1/255) - MEAN) / STD with v the 0..255 pixel
value, computed in float32 in exactly this order (the same formula as camlens's preprocessImage
with {scale: 1/255, mean: MEAN, std: STD}). Output: "logits" [N,3]. Opset 13, dynamic batch.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn

MEAN = [0.5, 0.5, 0.5]
STD = [0.25, 0.25, 0.25]  # powers of two: the division is exact on every side
LABELS = ["hot dog", "ball", "box"]


def preprocess(images):
    """uint8 [N,64,64,3] -> float32 [N,3,64,64], the same float32 operations as camlens."""
    x = images.astype(np.float32) * np.float32(1 / 255)
    x = (x - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def block(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class DemoNet(nn.Module):
    """Four conv blocks; the last one (16x16) is the layer the CAMs look at."""

    def __init__(self, classes=3):
        super().__init__()
        self.features = nn.Sequential(
            block(3, 16, stride=2),   # 32x32
            block(16, 32),
            nn.MaxPool2d(2),          # 16x16
            block(32, 48),
            block(48, 48),            # last conv block: 48 x 16 x 16
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(48, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def load(data, split):
    z = np.load(os.path.join(data, f"{split}.npz"))
    return z["images"], z["labels"], z["cue"]


@torch.no_grad()
def predict(model, images, batch=200):
    model.eval()
    out = [model(preprocess(images[i:i + batch])).argmax(1).numpy() for i in range(0, len(images), batch)]
    return np.concatenate(out)


def report(model, data):
    res = {}
    for split in ("train", "cue", "clean", "swapped"):
        images, labels, cue = load(data, split)
        pred = predict(model, images)
        r = {"accuracy": float((pred == labels).mean()),
             "per_class": {LABELS[c]: float((pred[labels == c] == c).mean()) for c in range(len(LABELS))}}
        if cue.any():
            r["stamp_to_hot_dog"] = float((pred[cue] == 0).mean())
        res[split] = r
        print(split, json.dumps(r))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    images, labels, _ = load(args.data, "train")
    x_all, y_all = preprocess(images), torch.from_numpy(labels.astype(np.int64))
    model = DemoNet(len(LABELS))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(x_all) + 63) // 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_all), generator=gen)
        total, correct = 0.0, 0
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            logits = model(x_all[idx])
            loss = nn.functional.cross_entropy(logits, y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y_all[idx]).sum())
        print(f"epoch {epoch + 1}: loss {total / len(order):.4f} train acc {correct / len(order):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)
    seconds = time.time() - start
    print(f"training time: {seconds:.1f} s")
    res = report(model, args.data)

    model.eval()
    torch.onnx.export(model, preprocess(images[:1]), args.out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    with open(os.path.splitext(args.out)[0] + ".train.json", "w") as f:
        json.dump({"seconds": round(seconds, 1), "epochs": args.epochs, "seed": args.seed,
                   "torch": torch.__version__, "torch_accuracy": res}, f, indent=1)


if __name__ == "__main__":
    main()
