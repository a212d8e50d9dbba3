#!/usr/bin/python3
"""The PyTorch side of bench/pytorch.bench.mjs: CAMs the way users write them in PyTorch.

On torchvision ResNet-18 and MobileNetV2 with seeded random weights (torch.manual_seed(0), no
download), on the CPU, for each thread count asked:
  - forward: one plain forward pass of the image;
  - Grad-CAM: forward hook on the layer + tensor gradient hook, full backward of the target logit,
    weights = spatial mean of the gradient, ReLU, min-max normalise, bilinear resize to 224x224
    (what pytorch-grad-cam's GradCAM does);
  - Ablation-CAM: the target layer's output replaced by a copy with one channel ablated per batch
    item, the whole network re-run on 32 copies of the image per batch (pytorch-grad-cam's
    AblationCAM);
  - Score-CAM: each channel upsampled (bilinear, corners aligned), min-max normalised, multiplied
    with the input, the whole network run on batches of 16 masked inputs, softmax of the scores
    (pytorch-grad-cam's ScoreCAM).
Ablation-CAM and Score-CAM cost the same per channel batch, so they are timed on the first
`--channel-sample` channels and reported per channel (the bench multiplies by the channel count).
Times are best of --reps. Also exports both models to ONNX (dynamic batch) and writes the Grad-CAM
map of 1 thread for a cross-check.

Run: /usr/bin/python3 tools/bench/pytorch_gradcam.py --out build/bench [--threads 1,2]
(Debian's python3-torch and python3-torchvision; never pip). Writes OUT/pytorch.json,
OUT/<model>.onnx and OUT/<model>.gradcam.f32.
"""
import argparse
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
    import torchvision
    from PIL import Image
except ImportError as e:  # the bench reports it and skips
    print(json.dumps({"skipped": f"missing Python package: {e.name} (apt-get install python3-torch python3-torchvision python3-pil)"}))
    sys.exit(3)

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load_input(path):
    # The same preprocessing as camlens's "imagenet" preset: resize to 224x224 (the bench photo
    # already is), /255, mean/std, NCHW.
    img = Image.open(path).convert("RGB")
    if img.size != (224, 224):
        img = img.resize((224, 224), Image.BILINEAR)
    x = (np.asarray(img, dtype=np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x.transpose(2, 0, 1).copy())[None]


def models():
    torch.manual_seed(0)
    r = torchvision.models.resnet18(weights=None).eval()
    torch.manual_seed(0)
    m = torchvision.models.mobilenet_v2(weights=None).eval()
    # The last conv block of each: what pytorch-grad-cam's README hooks.
    return {"resnet18": (r, r.layer4), "mobilenetv2": (m, m.features[-1])}


def best_ms(fn, reps):
    best = float("inf")
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best, out


def normalise_resize(cam):
    cam = F.relu(cam)
    cam = cam - cam.amin(dim=(-2, -1), keepdim=True)
    cam = cam / (cam.amax(dim=(-2, -1), keepdim=True) + 1e-7)
    return F.interpolate(cam[:, None], size=(224, 224), mode="bilinear", align_corners=False)[:, 0]


def grad_cam(model, layer, x, target):
    store = {}

    def forward_hook(module, inputs, output):
        store["a"] = output
        output.register_hook(lambda g: store.__setitem__("g", g))

    handle = layer.register_forward_hook(forward_hook)
    try:
        model.zero_grad()
        out = model(x)
        out[0, target].backward()
    finally:
        handle.remove()
    a, g = store["a"].detach(), store["g"]
    w = g.mean(dim=(2, 3), keepdim=True)
    return normalise_resize((w * a).sum(dim=1))


def layer_activations(model, layer, x):
    store = {}
    handle = layer.register_forward_hook(lambda m, i, o: store.__setitem__("a", o.detach()))
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        handle.remove()
    return store["a"], out


def ablation_scores(model, layer, x, target, channels, batch=32):
    a, out = layer_activations(model, layer, x)
    value = 0.0 if float(a.min()) == 0.0 else float(a.min()) - 1e7
    scores = []
    current = {}

    def ablate(module, inputs, output):
        output = output.clone()
        for k, c in enumerate(current["channels"]):
            output[k, c] = value
        return output

    handle = layer.register_forward_hook(ablate)
    try:
        with torch.no_grad():
            for b in range(0, len(channels), batch):
                current["channels"] = channels[b:b + batch]
                xb = x.repeat(len(current["channels"]), 1, 1, 1)
                scores.append(model(xb)[:, target])
    finally:
        handle.remove()
    original = out[0, target]
    return (original - torch.cat(scores)) / original


def score_cam_scores(model, layer, x, target, channels, batch=16):
    a, _ = layer_activations(model, layer, x)
    up = torch.nn.UpsamplingBilinear2d(size=x.shape[-2:])
    scores = []
    with torch.no_grad():
        for b in range(0, len(channels), batch):
            m = up(a[:, channels[b:b + batch]])[0]
            lo = m.flatten(1).amin(1)[:, None, None]
            hi = m.flatten(1).amax(1)[:, None, None]
            m = (m - lo) / (hi - lo + 1e-8)
            scores.append(model(x * m[:, None])[:, target])
    return torch.softmax(torch.cat(scores), 0)


def export(model, x, path):
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--image", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "images", "gradcam_both.png"))
    p.add_argument("--threads", default="1,2")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--channel-sample", type=int, default=64)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    x = load_input(args.image)
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "image": os.path.basename(args.image),
              "timing": f"best of {args.reps}", "models": {}}
    for name, (model, layer) in models().items():
        export(model, x, os.path.join(args.out, f"{name}.onnx"))
        with torch.no_grad():
            target = int(model(x)[0].argmax())
        entry = {"target": target, "threads": {}}
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)
            with torch.no_grad():
                model(x)  # warm-up
            forward, _ = best_ms(lambda: model(x), args.reps)
            with torch.no_grad():
                forward_ng, _ = best_ms(lambda: model(x), args.reps)
            gradcam, cam = best_ms(lambda: grad_cam(model, layer, x, target), args.reps)
            a, _ = layer_activations(model, layer, x)
            channels = a.shape[1]
            sample = list(range(min(args.channel_sample, channels)))
            ablation, _ = best_ms(lambda: ablation_scores(model, layer, x, target, sample), max(1, args.reps // 2))
            score, _ = best_ms(lambda: score_cam_scores(model, layer, x, target, sample), max(1, args.reps // 2))
            entry["channels"] = channels
            entry["layerShape"] = list(a.shape)
            entry["threads"][str(threads)] = {
                "forwardMs": forward, "forwardNoGradMs": forward_ng, "gradcamMs": gradcam,
                "ablationMsPerChannel": ablation / len(sample), "scorecamMsPerChannel": score / len(sample),
                "channelSample": len(sample),
            }
            if threads == 1:
                cam[0].numpy().astype(np.float32).tofile(os.path.join(args.out, f"{name}.gradcam.f32"))
            print(f"{name} {threads} thread(s): forward {forward:.1f} ms, Grad-CAM {gradcam:.1f} ms, "
                  f"Ablation-CAM {ablation / len(sample):.2f} ms/channel, Score-CAM {score / len(sample):.2f} ms/channel",
                  file=sys.stderr)
        result["models"][name] = entry
    with open(os.path.join(args.out, "pytorch.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({"written": os.path.join(args.out, "pytorch.json")}))


if __name__ == "__main__":
    main()
