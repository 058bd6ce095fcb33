# requirements: mxnet==1.9.1 numpy==1.23.5 onnx==1.14.1 protobuf==4.25.3 pyyaml==6.0.3
"""The Python way to convert MXNet to ONNX: mxnet 1.9.1's own exporter (it writes the
newest opset the installed onnx knows, with its opset-13 translations), the input
shapes taken from the package's ormbfile as klever takes them.

usage: reference_convert_mxnet.py PKG OUT.onnx
"""
import glob
import sys

import mxnet as mx
import numpy as np
import yaml

package, out = sys.argv[1], sys.argv[2]
inputs = yaml.safe_load(open(f"{package}/ormbfile.yaml"))["signature"]["inputs"]
symbol, = glob.glob(f"{package}/model/*symbol.json")
params, = glob.glob(f"{package}/model/*.params")
mx.onnx.export_model(symbol, params, [tuple(i["size"]) for i in inputs], [np.dtype(i["dType"]) for i in inputs], out)
