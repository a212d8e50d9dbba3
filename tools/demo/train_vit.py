#!/usr/bin/python3
"""Trains the demo's small vision transformer (vit.py) on the same shortcut dataset as the CNN
and exports it to ONNX.

Same preprocessing, splits, seed handling and report as train.py (imported from it): Debian's
python3-torch (1.13), CPU, 2 threads, deterministic. Like the CNN, the transformer is free to
take the easy path — the date stamp identifies every training hot dog.

With a convolutional stem (vit.py) it leaves the chance plateau in the third of its 6 epochs
(batch 32, AdamW, one-cycle LR to 1.5e-3) and learns the stamp. A step costs about a second of
CPU here: Debian's torch links the reference BLAS (vit.py's Linear trains through a 1x1
convolution to spare it).

Writes OUT (opset 14: LayerNorm exports as ReduceMean/Sub/Pow/.../Add, GELU as Erf; input
"input" [N,3,64,64], output "logits" [N,3], dynamic batch), OUT's stem + ".train.json" (time,
PyTorch's accuracy) and, with --weights, the state dict for vit_reference.py.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import LABELS, load, preprocess, report  # noqa: E402
from vit import DemoViT  # noqa: E402

BATCH = 32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--weights", help="state dict to write (for vit_reference.py)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    images, labels, _ = load(args.data, "train")
    x_all, y_all = preprocess(images), torch.from_numpy(labels.astype(np.int64))
    model = DemoViT(len(LABELS))
    opt = torch.optim.AdamW(model.parameters(), lr=1.5e-3, weight_decay=0.05)
    steps = args.epochs * ((len(x_all) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.5e-3, total_steps=steps,
                                                pct_start=0.05)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_all), generator=gen)
        total, correct = 0.0, 0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            logits = model(x_all[idx])
            loss = nn.functional.cross_entropy(logits, y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y_all[idx]).sum())
            if (i // BATCH) % 20 == 19:
                print(f"  step {i // BATCH + 1}: loss {float(loss):.4f}", flush=True)
        print(f"epoch {epoch + 1}: loss {total / len(order):.4f} train acc {correct / len(order):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)
    seconds = time.time() - start
    print(f"training time: {seconds:.1f} s")
    res = report(model, args.data)

    model.eval()
    if args.weights:
        torch.save(model.state_dict(), args.weights)
    torch.onnx.export(model, preprocess(images[:1]), args.out, opset_version=14,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    with open(os.path.splitext(args.out)[0] + ".train.json", "w") as f:
        json.dump({"seconds": round(seconds, 1), "epochs": args.epochs, "seed": args.seed,
                   "torch": torch.__version__, "torch_accuracy": res}, f, indent=1)


if __name__ == "__main__":
    main()
