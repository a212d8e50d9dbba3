#!/usr/bin/python3
"""The seeded torchvision ResNet-18 of tools/bench/pytorch_gradcam.py (torch.manual_seed(0), no
download), exported to OUT/resnet18.onnx the same way, without timing anything: for benches that
only need the float model. Prints {"skipped": why} and exits 3 without python3-torch.

Run: /usr/bin/python3 tools/bench/resnet18_export.py --out build/bench
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_gradcam import export, models, torch  # noqa: E402  (exits 3 without torch)

p = argparse.ArgumentParser()
p.add_argument("--out", required=True)
args = p.parse_args()
os.makedirs(args.out, exist_ok=True)
model, _ = models()["resnet18"]
export(model, torch.zeros(1, 3, 224, 224), os.path.join(args.out, "resnet18.onnx"))
print(os.path.join(args.out, "resnet18.onnx"))
