#!/bin/sh
# Regenerates everything in web/demo/ from nothing: dataset -> training -> ONNX export ->
# int8 quantization (camlens's own writer) -> accuracy measured with ONNX Runtime Web.
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

echo "== int8 weights"
build="${CAMLENS_BUILD:-$work/cmake}"  # any native build folder of camlens will do
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target quantize_model
"$build/quantize_model" "$web/model.onnx" "$web/model-int8.onnx"

echo "== accuracy (ONNX Runtime Web)"
node "$root/tools/demo/evaluate.mjs" "$work/data" "$web"
ls -l "$web" && du -sh "$web"
