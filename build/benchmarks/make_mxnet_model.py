# requirements: mxnet==1.9.1 numpy==1.23.5 onnx==1.14.1 protobuf==4.25.3 pyyaml==6.0.3
"""Makes the MXNet model the conversion benchmark converts (never committed).

usage: make_mxnet_model.py OUT_DIR
Writes OUT_DIR/mxnet-100mb/: a small convnet whose three FullyConnected layers carry
most of its ~110 MB of float32 weights, saved by mx.model.save_checkpoint, and an
ormbfile naming the input shape (MXNet files hold none). Weights are random; only
their size matters. The venv is the reference exporter's (mxnet 1.9.1 with the onnx
its exporter still works with: onnx.mapping went away in onnx 1.16).
"""
import os
import sys

import mxnet as mx
import numpy as np

OUT = os.path.join(sys.argv[1], "mxnet-100mb")
SHAPE = (1, 3, 32, 32)
rng = np.random.default_rng(7)

S = mx.sym
x = S.Convolution(S.var("data"), kernel=(3, 3), pad=(1, 1), num_filter=64, name="conv0")
x = S.Activation(S.BatchNorm(x, fix_gamma=False, name="bn0"), act_type="relu", name="relu0")
x = S.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=128, name="conv1")
x = S.Pooling(S.Activation(x, act_type="relu", name="relu1"), kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
x = S.Flatten(x, name="flatten0")  # mxnet's exporter mis-shapes a FullyConnected over 4-D data
x = S.Activation(S.FullyConnected(x, num_hidden=640, name="fc0"), act_type="relu", name="relu2")   # 32768 x 640
x = S.Activation(S.FullyConnected(x, num_hidden=4096, name="fc1"), act_type="relu", name="relu3")  # 640 x 4096
symbol = S.softmax(S.FullyConnected(x, num_hidden=1000, name="fc2"), name="softmax")  # 4096 x 1000

arg_shapes, _, aux_shapes = symbol.infer_shape(data=SHAPE)
args = {name: mx.nd.array(rng.standard_normal(shape, dtype=np.float32) * 0.01)
        for name, shape in zip(symbol.list_arguments(), arg_shapes) if name != "data"}
aux = {name: mx.nd.array(np.ones(shape, dtype=np.float32)) for name, shape in zip(symbol.list_auxiliary_states(), aux_shapes)}
os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
mx.model.save_checkpoint(os.path.join(OUT, "model", "model"), 0, symbol, args, aux)
with open(os.path.join(OUT, "ormbfile.yaml"), "w") as f:
    f.write("author: bench\nformat: MXNetParams\nsignature:\n  inputs:\n  - name: data\n"
            f"    size: {list(SHAPE)}\n    dType: float32\n")
