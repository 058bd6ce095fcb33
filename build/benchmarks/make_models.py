# requirements: tensorflow-cpu==2.21.0 numpy==2.4.6 pyyaml==6.0.3
"""Makes the large models the extraction benchmark reads (never committed).

usage: make_models.py OUT_DIR [CASE...]
Writes OUT_DIR/<case>/ packages: onnx-200mb, savedmodel-100mb, graphdef-100mb,
netdef-100mb (all when no CASE is named). Weights are random; only their size matters. TensorFlow writes the
SavedModel and GraphDef; ONNX and NetDef are written with the protobuf runtime
TensorFlow brings, from the same .proto files klever compiles.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

OUT = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = np.random.default_rng(7)


def package(name, fmt, extra=""):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.join(path, "model"), exist_ok=True)
    with open(os.path.join(path, "ormbfile.yaml"), "w") as f:
        f.write(f"author: bench\nformat: {fmt}\n{extra}")
    return os.path.join(path, "model")


def proto_modules():
    """Compiles klever's onnx.proto and caffe2.proto for Python (protoc from grpcio-tools
    is not needed: TensorFlow's wheel ships no protoc, so use the system one)."""
    gen = tempfile.mkdtemp()
    protos = os.path.join(ROOT, "Sources/Schemas/Protos")
    subprocess.check_call(["protoc", f"-I{protos}", f"--python_out={gen}", "onnx.proto", "caffe2.proto"])
    sys.path.insert(0, gen)
    import caffe2_pb2
    import onnx_pb2
    return onnx_pb2, caffe2_pb2


def batch_by_width(value_info, width):
    """A float tensor of shape [batch, width]."""
    value_info.type.tensor_type.elem_type = 1
    value_info.type.tensor_type.shape.dim.add().dim_param = "batch"
    value_info.type.tensor_type.shape.dim.add().dim_value = width


def make_onnx(onnx_pb2, megabytes):
    """An MLP whose Gemm weights add up to `megabytes`."""
    model = onnx_pb2.ModelProto(ir_version=8, producer_name="klever-bench")
    model.opset_import.add(domain="", version=17)
    graph = model.graph
    graph.name = "mlp"
    width, layers = 2048, max(1, megabytes * (1 << 20) // (2048 * 2048 * 4))
    batch_by_width(graph.input.add(name="x"), width)
    previous = "x"
    for i in range(layers):
        w = graph.initializer.add(name=f"w{i}", data_type=1, dims=[width, width])
        w.raw_data = rng.standard_normal((width, width), dtype=np.float32).tobytes()
        graph.node.add(op_type="Gemm", input=[previous, f"w{i}"], output=[f"h{i}"])
        graph.node.add(op_type="Relu", input=[f"h{i}"], output=[f"r{i}"])
        previous = f"r{i}"
    batch_by_width(graph.output.add(name=previous), width)
    with open(os.path.join(package(f"onnx-{megabytes}mb", "ONNX"), "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def make_netdef(caffe2_pb2, megabytes):
    width = 2048
    layers = max(1, megabytes * (1 << 20) // (width * width * 4))
    init, predict = caffe2_pb2.NetDef(name="init"), caffe2_pb2.NetDef(name="predict")
    predict.external_input.append("data")
    previous = "data"
    for i in range(layers):
        op = init.op.add(type="GivenTensorFill", output=[f"w{i}"])
        op.arg.add(name="shape", ints=[width, width])
        op.arg.add(name="values", floats=rng.standard_normal(width * width, dtype=np.float32).tolist())
        predict.external_input.append(f"w{i}")
        predict.op.add(type="FC", input=[previous, f"w{i}"], output=[f"fc{i}"])
        previous = f"fc{i}"
    predict.external_output.append(previous)
    model = package(f"netdef-{megabytes}mb", "NetDef",
                    f"signature:\n  inputs:\n  - name: data\n    size: [1, {width}]\n    dType: float32\n")
    for name, net in (("init_net.pb", init), ("predict_net.pb", predict)):
        with open(os.path.join(model, name), "wb") as f:
            f.write(net.SerializeToString())


def tensorflow_mlp(megabytes):
    """A tf.Module MLP whose weights add up to `megabytes`."""
    import tensorflow as tf

    width = 2048
    layers = max(1, megabytes * (1 << 20) // (width * width * 4))

    class MLP(tf.Module):
        def __init__(self):
            self.weights = [tf.Variable(rng.standard_normal((width, width), dtype=np.float32)) for _ in range(layers)]

        @tf.function(input_signature=[tf.TensorSpec([None, width], tf.float32, name="x")])
        def __call__(self, x):
            for w in self.weights:
                x = tf.nn.relu(tf.matmul(x, w))
            return {"y": x}

    return MLP()


def make_savedmodel(megabytes):
    import tensorflow as tf
    module = tensorflow_mlp(megabytes)
    tf.saved_model.save(module, package(f"savedmodel-{megabytes}mb", "SavedModel"),
                        signatures={"serving_default": module.__call__})


def make_graphdef(megabytes):
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    module = tensorflow_mlp(megabytes)
    frozen = convert_variables_to_constants_v2(module.__call__.get_concrete_function())
    with open(os.path.join(package(f"graphdef-{megabytes}mb", "GraphDef"), "model.graphdef"), "wb") as f:
        f.write(frozen.graph.as_graph_def().SerializeToString())


if __name__ == "__main__":
    onnx_pb2, caffe2_pb2 = proto_modules()
    makers = {
        "onnx-200mb": lambda: make_onnx(onnx_pb2, 200),
        "netdef-100mb": lambda: make_netdef(caffe2_pb2, 100),
        "savedmodel-100mb": lambda: make_savedmodel(100),
        "graphdef-100mb": lambda: make_graphdef(100),
    }
    for case in sys.argv[2:] or makers:
        makers[case]()
