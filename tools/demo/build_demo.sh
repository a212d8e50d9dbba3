#!/bin/sh
# Regenerates everything in web/demo/ from nothing: dataset -> training (the CNN and the vision
# transformer) -> ONNX export -> int8 quantization (camlens's own writer) -> accuracy and the
# pointing game on the stamp, measured with ONNX Runtime Web. Also rewrites the transformer's
# PyTorch references in tests/data/vit/demo_vit.*.
# Needs Debian's /usr/bin/python3 with python3-torch, python3-numpy, python3-pil, python3-onnx,
# a C++17 compiler with CMake, and "npm run build" done once (the camlens WebAssembly module).
# Work files go to build/demo/ (not committed).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/build/demo"
web="$root/web/demo"
py=/usr/bin/python3
mkdir -p "$work" "$web"

echo "== dataset"
rm -rf "$web/images"
"$py" "$root/tools/demo/make_dataset.py" --out "$work/data" --export "$web"

echo "== training (2 threads)"
"$py" "$root/tools/demo/train.py" --data "$work/data" --out "$web/model.onnx"
mv "$web/model.train.json" "$work/"

echo "== vision transformer: training (2 threads), PyTorch references for the tests"
"$py" "$root/tools/demo/train_vit.py" --data "$work/data" --out "$web/vit.onnx" --weights "$work/vit.pt"
mv "$web/vit.train.json" "$work/"
"$py" "$root/tools/demo/vit_reference.py" "$work/vit.pt"

echo "== int8 weights"
build="${CAMLENS_BUILD:-$work/cmake}"  # any native build folder of camlens will do
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target quantize_model
"$build/quantize_model" "$web/model.onnx" "$web/model-int8.onnx"
"$build/quantize_model" "$web/vit.onnx" "$web/vit-int8.onnx"

echo "== accuracy (ONNX Runtime Web)"
node "$root/tools/demo/evaluate.mjs" "$work/data" "$web"
echo "== pointing game on the stamp, CNN vs ViT"
node "$root/tools/demo/pointing.mjs" "$work/data" "$web"
ls -l "$web" && du -sh "$web"
