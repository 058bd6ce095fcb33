# requirements: onnx==1.23.2 onnxruntime==1.31.1 numpy==2.3.5 pyyaml==6.0.3
"""The Python way to read an ONNX model's signature: onnx.load + an onnxruntime session."""
import sys

import onnx
import onnxruntime as ort

path = sys.argv[1]
model = onnx.load(path)
layers = {}
for node in model.graph.node:
    layers[node.op_type] = layers.get(node.op_type, 0) + 1
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
print([(i.name, i.shape, i.type) for i in session.get_inputs()], [(o.name, o.shape) for o in session.get_outputs()], layers)
