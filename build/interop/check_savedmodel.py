# requirements: tensorflow-cpu==2.21.0 numpy==2.4.6 pyyaml==6.0.3
"""Checks a converted SavedModel the way its users load it: TensorFlow 2's
tf.saved_model.load and its `serving_default` signature, and TensorFlow 1's session
loader (the restore path of the C++ loader TF Serving and Triton use), each run on
the reference inputs and compared with the source framework's outputs.

usage: check_savedmodel.py MODEL_DIR REFERENCE.npz
REFERENCE.npz holds `input:<name>` and `output:<name>` arrays (fixtures/README.md),
named as the signature's keys. Prints one JSON object: {"opset": null,
"outputs": {name: max_abs_error over both loaders}, "maxAbsError"}.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

model_path, reference_path = sys.argv[1], sys.argv[2]
reference = np.load(reference_path)
feeds = {key.split(":", 1)[1]: reference[key] for key in reference.files if key.startswith("input:")}
expected = {key.split(":", 1)[1]: reference[key] for key in reference.files if key.startswith("output:")}

# TensorFlow 2: the signature as a concrete function, called by input key.
signature = tf.saved_model.load(model_path).signatures["serving_default"]
results_v2 = {key: value.numpy() for key, value in signature(**{k: tf.constant(v) for k, v in feeds.items()}).items()}

# TensorFlow 1: the session loader runs the saver's restore op, then the signature's tensors.
with tf.compat.v1.Session(graph=tf.Graph()) as session:
    meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], model_path)
    definition = meta_graph.signature_def["serving_default"]
    results_v1 = session.run({key: info.name for key, info in definition.outputs.items()},
                             {definition.inputs[key].name: value for key, value in feeds.items()})

errors = {}
for name, want in expected.items():
    for loader, results in (("tf.saved_model.load", results_v2), ("session loader", results_v1)):
        if name not in results:
            sys.exit(f"{loader}: no output {name} (outputs: {sorted(results)})")
        got = results[name]
        if got.shape != want.shape:
            sys.exit(f"{loader}: {name}: shape {got.shape}, expected {want.shape}")
        error = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if want.size else 0.0
        errors[name] = max(errors.get(name, 0.0), error)
print(json.dumps({"opset": None, "outputs": errors, "maxAbsError": max(errors.values(), default=0.0)}))
