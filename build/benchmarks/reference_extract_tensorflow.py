# requirements: tensorflow-cpu==2.21.0 numpy==2.4.6 pyyaml==6.0.3
"""The Python way to read a TensorFlow model's signature: TensorFlow's own loaders.

usage: reference_extract_tensorflow.py savedmodel DIR | graphdef FILE
"""
import sys

import tensorflow as tf

kind, path = sys.argv[1], sys.argv[2]
if kind == "savedmodel":
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures["serving_default"]
    print(signature.structured_input_signature, signature.structured_outputs)
else:
    graph_def = tf.compat.v1.GraphDef()
    with open(path, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    consumed = {i.lstrip("^").split(":")[0] for n in graph_def.node for i in n.input}
    outputs = [op for op in graph.get_operations() if op.name not in consumed]
    print([(op.name, op.outputs[0].shape) for op in outputs if op.outputs])
