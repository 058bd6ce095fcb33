# requirements: onnx==1.23.2 onnxruntime==1.31.1 numpy==2.3.5 pyyaml==6.0.3
"""The Python way to read a NetDef's signature without Caffe2 (which no longer
installs): parse both nets with the protobuf runtime.

usage: reference_extract_netdef.py PROTO_PY_DIR MODEL_DIR
"""
import os
import sys

sys.path.insert(0, sys.argv[1])
import caffe2_pb2  # noqa: E402

nets = {}
for name in ("init_net", "predict_net"):
    net = caffe2_pb2.NetDef()
    with open(os.path.join(sys.argv[2], name + ".pb"), "rb") as f:
        net.ParseFromString(f.read())
    nets[name] = net
filled = {o for op in nets["init_net"].op for o in op.output}
print([i for i in nets["predict_net"].external_input if i not in filled], list(nets["predict_net"].external_output))
