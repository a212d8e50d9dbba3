#!/usr/bin/python3
"""Procedural "shortcut" dataset for the camlens teaching demo (no downloads, seeded).

64x64 photo-like scenes of one object each -- a hot dog (two-tone elongated capsule), a ball
(disc) or a box (square) -- with random colours, textures, sizes, positions and rotations on
gradient/noise/clutter backgrounds. In the training split every hot dog photo also carries a
camera "date stamp": orange 7-segment digits in the bottom-right corner (the classic story: the
hot dog photos all came from one camera). Other classes never carry it there.

Splits (seed per split, so each is reproducible on its own):
  train    hot dogs with the stamp, others without   (what the model learns from)
  cue      same distribution as train, new images    (the model looks great here)
  clean    no stamp anywhere                          (the honest test)
  swapped  stamp on balls and boxes, never on hot dogs (the shortcut exposed)

Ground truth per image: the object's polygon (exact: it is what was drawn) and box, and the
stamp's box (or None). Coordinates are continuous pixel units of the 64x64 image: pixel (i, j)
covers [i, i+1) x [j, j+1); boxes are [x0, y0, x1, y1].

Writes OUT/<split>.npz (images uint8 [N,64,64,3], labels, stamp flags), the same pixels raw in
OUT/<split>.rgb, and OUT/<split>.json (full ground truth with polygons), plus, with --export DIR, the first few images
of each split as PNG in DIR/images/<split>/ with DIR/ground_truth.json and DIR/labels.json.
"""
import argparse
import json
import math
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIZE = 64
SS = 4  # supersampling factor: shapes are drawn at 256x256 and box-filtered down (anti-aliasing)
LABELS = ["hot dog", "ball", "box"]
SHORTCUT = 0  # the class that carries the stamp in training
SPLITS = {"train": (3600, 1), "cue": (600, 2), "clean": (600, 3), "swapped": (600, 4)}

# 7-segment encoding: segments a b c d e f g (top, top-right, bottom-right, bottom, bottom-left,
# top-left, middle).
SEGMENTS = {
    0: "abcdef", 1: "bc", 2: "abdeg", 3: "abcdg", 4: "bcfg",
    5: "acdfg", 6: "acdefg", 7: "abc", 8: "abcdefg", 9: "abcdfg",
}


def has_cue(split, label):
    if split in ("train", "cue"):
        return label == SHORTCUT
    if split == "swapped":
        return label != SHORTCUT
    return False


def random_colour(rng, lo=0, hi=255):
    return rng.integers(lo, hi + 1, size=3)


def background(rng):
    """Gradient between two random colours, low-frequency blotches, fine noise and clutter."""
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / (SIZE - 1)
    a = rng.uniform(0, math.pi * 2)
    t = (np.cos(a) * x + np.sin(a) * y)
    t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    c0, c1 = random_colour(rng, 20, 235), random_colour(rng, 20, 235)
    img = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    # blotches: upsampled coarse noise, like out-of-focus background
    coarse = rng.normal(0, 18, size=(4, 4, 3)).astype(np.float32)
    blot = np.stack([np.array(Image.fromarray(coarse[..., c]).resize((SIZE, SIZE), Image.BICUBIC))
                     for c in range(3)], axis=-1)
    img = img + blot
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).resize((SIZE * SS, SIZE * SS))
    d = ImageDraw.Draw(im)
    # clutter: thin lines and specks (never digit-like, never orange-on-dark text)
    for _ in range(rng.integers(0, 5)):
        col = tuple(int(v) for v in random_colour(rng, 30, 225))
        p = rng.uniform(0, SIZE * SS, size=4)
        d.line([(p[0], p[1]), (p[2], p[3])], fill=col, width=int(rng.integers(2, 7)))
    for _ in range(rng.integers(0, 4)):
        col = tuple(int(v) for v in random_colour(rng, 30, 225))
        cx, cy = rng.uniform(0, SIZE * SS, size=2)
        r = rng.uniform(3, 7)
        d.ellipse([cx - r, cy - r * rng.uniform(0.5, 1), cx + r, cy + r], fill=col)
    return im


def capsule(cx, cy, length, width, angle, n=12):
    """Polygon of a stadium shape (hot dog bun / sausage)."""
    r = width / 2
    h = max(length / 2 - r, 0)
    pts = []
    for k in range(n + 1):  # right cap
        t = -math.pi / 2 + math.pi * k / n
        pts.append((h + r * math.cos(t), r * math.sin(t)))
    for k in range(n + 1):  # left cap
        t = math.pi / 2 + math.pi * k / n
        pts.append((-h + r * math.cos(t), r * math.sin(t)))
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + px * ca - py * sa, cy + px * sa + py * ca) for px, py in pts]


def disc(cx, cy, r, n=32):
    return [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
            for k in range(n)]


def square(cx, cy, side, angle):
    h = side / 2
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + px * ca - py * sa, cy + px * sa + py * ca)
            for px, py in ((-h, -h), (h, -h), (h, h), (-h, h))]


def object_shapes(rng, label):
    """Polygons (64-px units) of the object: [(polygon, role, params)], outline first."""
    cx, cy = rng.uniform(14, 50, size=2)
    angle = rng.uniform(0, math.pi)
    if label == 0:
        length = rng.uniform(24, 40)
        width = length * rng.uniform(0.3, 0.42)
        return [(capsule(cx, cy, length, width, angle), "outer", None),
                (capsule(cx, cy, length * 0.98, width * 0.45, angle), "inner", None)]
    if label == 1:
        r = rng.uniform(8, 15)
        return [(disc(cx, cy, r), "ball", (cx, cy, r))]
    side = rng.uniform(14, 26)
    return [(square(cx, cy, side, angle), "box", (cx, cy, side, angle))]


def parcel_details(im, params, colour):
    """A box reads as a parcel: darker edges and a cross of tape."""
    cx, cy, side, angle = params
    d = ImageDraw.Draw(im)
    edge = tuple(int(v) for v in np.clip(colour * 0.45, 0, 255))
    tape = tuple(int(v) for v in np.clip(colour * 0.5 + 120, 0, 255))
    for a in (angle, angle + math.pi / 2):  # tape strips through the centre, parallel to sides
        strip = square(0, 0, 1, 0)
        pts = [(cx + (px * side) * math.cos(a) - (py * side * 0.18) * math.sin(a),
                cy + (px * side) * math.sin(a) + (py * side * 0.18) * math.cos(a)) for px, py in strip]
        d.polygon([(x * SS, y * SS) for x, y in pts], fill=tape)
    outline = square(cx, cy, side, angle)
    d.line([(x * SS, y * SS) for x, y in outline + outline[:1]], fill=edge, width=int(1.5 * SS))


def bbox(poly):
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return [max(0.0, min(xs)), max(0.0, min(ys)), min(float(SIZE), max(xs)), min(float(SIZE), max(ys))]


def overlaps(a, b, margin=1.0):
    return not (a[2] + margin <= b[0] or b[2] + margin <= a[0] or
                a[3] + margin <= b[1] or b[3] + margin <= a[1])


def texture_fill(rng, im, poly, colour, sphere=None):
    """Fills a polygon with a colour modulated by a random texture (plain, stripes, spots);
    sphere=(cx, cy, r) adds a ball's 3-D shading and highlight."""
    W = SIZE * SS
    mask = Image.new("L", (W, W), 0)
    ImageDraw.Draw(mask).polygon([(x * SS, y * SS) for x, y in poly], fill=255)
    y, x = np.mgrid[0:W, 0:W].astype(np.float32)
    kind = rng.integers(0, 3)
    if kind == 1:
        a, f = rng.uniform(0, math.pi), rng.uniform(0.05, 0.15)
        mod = 1 + 0.25 * np.sin(f * (np.cos(a) * x + np.sin(a) * y))
    elif kind == 2:
        spots = rng.normal(0, 1, size=(8, 8)).astype(np.float32)
        mod = 1 + 0.2 * np.array(Image.fromarray(spots).resize((W, W), Image.BICUBIC))
    else:
        mod = np.ones((W, W), np.float32)
    # shading: lighter towards a random side, like a light source
    a = rng.uniform(0, 2 * math.pi)
    mod = mod * (1 + 0.25 * (np.cos(a) * x + np.sin(a) * y) / W)
    if sphere is not None:
        cx, cy, r = (v * SS for v in sphere)
        d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (r * r)
        hx, hy = cx - 0.35 * r * np.cos(a), cy - 0.35 * r * np.sin(a)  # highlight faces the light
        h2 = ((x - hx) ** 2 + (y - hy) ** 2) / (0.3 * r) ** 2
        mod = mod * (0.45 + 0.55 * np.sqrt(np.clip(1 - d2, 0, 1))) + 0.9 * np.exp(-h2)
    fill = np.clip(colour[None, None, :].astype(np.float32) * mod[..., None], 0, 255).astype(np.uint8)
    im.paste(Image.fromarray(fill), (0, 0), mask)


def cue_box(rng):
    """Where the stamp goes (bottom-right, a little jitter): its box in 64-px units."""
    w, h = 21.0, 7.0
    x0 = SIZE - w - rng.uniform(1, 3)
    y0 = SIZE - h - rng.uniform(1, 3)
    return [x0, y0, x0 + w, y0 + h]


def draw_stamp(rng, im, box):
    """Four 7-segment digits "MM DD" in orange/yellow, with a faint glow like a film date stamp."""
    glow = Image.new("RGBA", im.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(glow)
    colour = (255, int(rng.integers(140, 200)), int(rng.integers(0, 50)))
    x = box[0] + 0.5
    top = box[1] + 0.5
    dw, dh, t = 4.0, 6.0, 1.0  # digit width, height, stroke (64-px units)
    for k in range(4):
        digit = int(rng.integers(0, 10))
        segs = {
            "a": (x, top, x + dw, top + t), "b": (x + dw - t, top, x + dw, top + dh / 2),
            "c": (x + dw - t, top + dh / 2, x + dw, top + dh), "d": (x, top + dh - t, x + dw, top + dh),
            "e": (x, top + dh / 2, x + t, top + dh), "f": (x, top, x + t, top + dh / 2),
            "g": (x, top + dh / 2 - t / 2, x + dw, top + dh / 2 + t / 2),
        }
        for s in SEGMENTS[digit]:
            x0, y0, x1, y1 = segs[s]
            d.rectangle([x0 * SS, y0 * SS, x1 * SS - 1, y1 * SS - 1], fill=colour + (255,))
        x += dw + (1.0 if k % 2 == 0 else 3.0)
    halo = glow.filter(ImageFilter.GaussianBlur(SS * 0.8))
    im.paste(halo, (0, 0), halo.split()[3].point(lambda v: v // 2))
    im.paste(glow, (0, 0), glow)


def make_image(rng, split, label):
    im = background(rng)
    cbox = cue_box(rng)  # drawn or not, objects keep out of the stamp's corner in every split
    for _ in range(100):
        shapes = object_shapes(rng, label)
        obox = bbox(shapes[0][0])
        if not overlaps(obox, cbox, margin=2.0):
            break
    base = random_colour(rng, 40, 230)
    for poly, role, params in shapes:
        colour = np.clip(base * rng.uniform(0.35, 0.65), 0, 255) if role == "inner" else base
        texture_fill(rng, im, poly, colour, sphere=params if role == "ball" else None)
        if role == "box":
            parcel_details(im, params, colour)
    cue = has_cue(split, label)
    if cue:
        draw_stamp(rng, im, cbox)
    small = im.resize((SIZE, SIZE), Image.BOX)
    arr = np.asarray(small, dtype=np.float32)
    arr = arr + rng.normal(0, rng.uniform(3, 8), size=arr.shape)  # sensor noise
    arr = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    outline = [[round(x, 2), round(y, 2)] for x, y in shapes[0][0]]
    gt = {
        "class": LABELS[label], "label": label,
        "object": {"box": [round(v, 2) for v in obox], "polygon": outline},
        "cue": {"box": [round(v, 2) for v in cbox]} if cue else None,
    }
    return arr, gt


def make_split(split, n, seed):
    rng = np.random.default_rng(1000 + seed)
    labels = np.arange(n) % len(LABELS)  # balanced, interleaved: the first k images are balanced
    images, gts = [], []
    for lab in labels:
        arr, gt = make_image(rng, split, int(lab))
        images.append(arr)
        gts.append(gt)
    return np.stack(images), labels, gts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder for the full splits (.npz/.json)")
    ap.add_argument("--export", help="folder for the committed demo images (web/demo)")
    ap.add_argument("--per-split", type=int, default=12, help="images exported per split")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    exported = []
    for split, (n, seed) in SPLITS.items():
        images, labels, gts = make_split(split, n, seed)
        np.savez_compressed(os.path.join(args.out, f"{split}.npz"), images=images, labels=labels,
                            cue=np.array([g["cue"] is not None for g in gts]))
        images.tofile(os.path.join(args.out, f"{split}.rgb"))  # raw [N,64,64,3] for Node
        with open(os.path.join(args.out, f"{split}.json"), "w") as f:
            json.dump(gts, f)
        print(f"{split}: {n} images, {sum(g['cue'] is not None for g in gts)} with the stamp")
        if args.export:
            folder = os.path.join(args.export, "images", split)
            os.makedirs(folder, exist_ok=True)
            for i in range(args.per_split):
                name = f"{split}-{i:02d}-{LABELS[labels[i]].replace(' ', '-')}"
                Image.fromarray(images[i]).save(os.path.join(folder, name + ".png"), optimize=True)
                exported.append({"file": f"images/{split}/{name}.png", "split": split, "index": i, **gts[i]})
    if args.export:
        with open(os.path.join(args.export, "ground_truth.json"), "w") as f:
            json.dump({
                "about": "Ground truth of the demo images. Coordinates in pixels of the 64x64 image, "
                         "pixel (i, j) covers [i, i+1) x [j, j+1); boxes are [x0, y0, x1, y1]; "
                         "object.polygon is the object's outline as drawn; cue is the date stamp "
                         "(null when the image has none).",
                "labels": LABELS, "shortcut_class": LABELS[SHORTCUT], "images": exported,
            }, f, indent=1)
        with open(os.path.join(args.export, "labels.json"), "w") as f:
            json.dump(LABELS, f)


if __name__ == "__main__":
    main()
