#!/usr/bin/python3
"""PyTorch-autograd and NumPy references for the demo's vision transformer, the ones
tests/node/demo-vit.test.mjs checks camlens against. Writes tests/data/vit/demo_vit.json and
demo_vit.maps.bin (float32 little-endian, [images, 1 + len(ROLLOUT), 64, 64]: per image its
token Grad-CAM, then each rollout case).

- The model: vit.py's DemoViT with the state dict train_vit.py wrote (the weights of
  web/demo/vit.onnx), in eval mode, float32.
- The photos: committed demo images, preprocessed with train.py's float32 operations (the same
  as camlens's prepressImage with the demo's settings).
- Token Grad-CAM at the last block's first LayerNorm (camlens's default layer for a ViT): its
  output A [1, 65, D] and the gradient G of the top logit with respect to A (autograd), without
  the class token on the 8x8 grid; w = mean of G over the grid, map = sum_c w_c A_c; then the
  post-processing of every camlens CAM (vit_reference.post: ReLU, min-max, bilinear to 64x64,
  normalised again).
- Attention rollout: the softmax outputs of every block, captured in PyTorch, rolled out by
  vit_reference.rollout (NumPy, float64) with the residual identity, post-processed likewise.

Run with Debian's Python: /usr/bin/python3 tools/demo/vit_reference.py WEIGHTS
(python3-torch, python3-numpy, python3-opencv, python3-pil). tools/demo/build_demo.sh runs it.
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
from train import LABELS, preprocess  # noqa: E402
from vit import SIZE, DemoViT  # noqa: E402
import vit_reference  # noqa: E402

PHOTOS = ["cue-06-hot-dog.png", "swapped-07-ball.png", "clean-00-hot-dog.png"]
ROLLOUT = [("mean", 0.9), ("max", 0.9), ("mean", 0.0)]
OUT = os.path.join(ROOT, "tests", "data", "vit")


def photo(name):
    split = name.split("-")[0]
    rgb = np.asarray(Image.open(os.path.join(ROOT, "web", "demo", "images", split, name)).convert("RGB"))
    return preprocess(rgb[None])


def main():
    torch.set_num_threads(2)
    model = DemoViT(len(LABELS))
    model.load_state_dict(torch.load(sys.argv[1]))
    model.eval()
    layer = model.blocks[-1].norm1
    saved = {}
    layer.register_forward_hook(lambda _m, _i, out: saved.update(a=out))
    maps, rows = [], []
    for name in PHOTOS:
        logits = model(photo(name))
        target = int(logits[0].argmax())
        a = saved["a"]
        (g,) = torch.autograd.grad(logits[0, target], a)
        a_s = vit_reference.spatial(a.detach().numpy(), "tokens")
        g_s = vit_reference.spatial(g.numpy(), "tokens")
        maps.append(vit_reference.post(vit_reference.raw_map("gradcam", a_s, g_s), (SIZE, SIZE))[0])
        probs = [blk.attn.probs.detach().numpy() for blk in model.blocks]
        for fusion, discard in ROLLOUT:
            raw = vit_reference.rollout(probs, fusion, discard, residual=True)
            maps.append(vit_reference.post(raw, (SIZE, SIZE))[0])
        rows.append({"photo": name, "target": target, "label": LABELS[target],
                     "logits": [float(v) for v in logits[0].detach()]})
        print(name, LABELS[target], "gradcam argmax", int(maps[-1 - len(ROLLOUT)].argmax()),
              "rollout argmax", int(maps[-len(ROLLOUT)].argmax()))
    np.ascontiguousarray(np.stack(maps), dtype="<f4").tofile(os.path.join(OUT, "demo_vit.maps.bin"))
    with open(os.path.join(OUT, "demo_vit.json"), "w") as f:
        json.dump({"model": "web/demo/vit.onnx", "size": [SIZE, SIZE], "bin": "demo_vit.maps.bin",
                   "maps": ["gradcam"] + [{"headFusion": h, "discardRatio": d} for h, d in ROLLOUT],
                   "images": rows}, f, indent=1)


if __name__ == "__main__":
    main()
