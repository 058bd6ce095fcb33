# requirements: onnx==1.23.2 onnxruntime==1.31.1 numpy==2.3.5 pyyaml==6.0.3
"""Checks a converted ONNX model the way a user would: onnx.checker, then onnxruntime
on the reference inputs, compared with the source framework's outputs.

usage: check_onnx.py MODEL.onnx REFERENCE.npz
REFERENCE.npz holds `input:<name>` and `output:<name>` arrays (fixtures/README.md).
Prints one JSON object: {"opset", "outputs": {name: max_abs_error}, "maxAbsError"}.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

model_path, reference_path = sys.argv[1], sys.argv[2]
model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)
reference = np.load(reference_path)
feeds = {key.split(":", 1)[1]: reference[key] for key in reference.files if key.startswith("input:")}
expected = {key.split(":", 1)[1]: reference[key] for key in reference.files if key.startswith("output:")}
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
names = [o.name for o in session.get_outputs()]
results = dict(zip(names, session.run(names, feeds)))
errors = {}
for name, want in expected.items():
    got = results[name]
    if got.shape != want.shape:
        sys.exit(f"{name}: shape {got.shape}, expected {want.shape}")
    errors[name] = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if want.size else 0.0
opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
print(json.dumps({"opset": opset, "outputs": errors, "maxAbsError": max(errors.values(), default=0.0)}))
