# requirements: onnx==1.23.2 onnxruntime==1.31.1 numpy==2.3.5 pyyaml==6.0.3
"""Makes a ~1 GiB ONNX package for the pull benchmark (never committed): a Gemm chain
whose weights live in an external data file, as large models are stored.

usage: make_large_onnx.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = os.path.join(sys.argv[1], "onnx-1gib")
model_dir = os.path.join(out, "model")
os.makedirs(model_dir, exist_ok=True)
rng = np.random.default_rng(7)
width, layers = 4096, 16  # 16 x 64 MiB of float32
nodes, weights, previous = [], [], "x"
for i in range(layers):
    weights.append(numpy_helper.from_array(rng.standard_normal((width, width), dtype=np.float32), f"w{i}"))
    nodes.append(helper.make_node("MatMul", [previous, f"w{i}"], [f"h{i}"]))
    previous = f"h{i}"
graph = helper.make_graph(
    nodes, "large", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
    [helper.make_tensor_value_info(previous, TensorProto.FLOAT, ["batch", width])], weights)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.save_model(model, os.path.join(model_dir, "model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="weights.bin")
with open(os.path.join(out, "ormbfile.yaml"), "w") as f:
    f.write("author: bench\nformat: ONNX\n")
