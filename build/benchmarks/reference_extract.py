"""The Python way to read a model's signature with its own framework, per format.

usage: reference_extract.py FORMAT PACKAGE     FORMAT: h5 torchscript mxnetparams pmml caffe
Runs in that framework's venv. Prints what it read (the benchmark discards it).
"""
import glob
import os
import sys

fmt, package = sys.argv[1], sys.argv[2]
model = os.path.join(package, "model")


def one(pattern):
    return glob.glob(os.path.join(model, pattern))[0]


if fmt == "h5":
    import keras
    loaded = keras.models.load_model(one("*.h5"), compile=False)
    print([(t.name, t.shape) for t in loaded.inputs], [(t.name, t.shape) for t in loaded.outputs], len(loaded.layers))
elif fmt == "torchscript":
    import torch
    loaded = torch.jit.load(one("*.pt"))
    print(loaded.forward.schema, sum(1 for m in loaded.modules() if not list(m.children())))
elif fmt == "mxnetparams":
    import mxnet as mx
    import yaml
    symbol = mx.sym.load(one("*symbol.json"))
    params = mx.nd.load(one("*.params"))
    signature = yaml.safe_load(open(os.path.join(package, "ormbfile.yaml")))["signature"]
    shapes = {t["name"]: tuple(t["size"]) for t in signature["inputs"]}
    print(symbol.list_outputs(), symbol.infer_shape_partial(**shapes)[1], len(params))
elif fmt == "pmml":
    from pypmml import Model
    loaded = Model.fromFile(one("*.pmml"))
    print([f.name for f in loaded.inputFields], [f.name for f in loaded.outputFields])
elif fmt == "caffe":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    import fixturelib as fx
    from google.protobuf import text_format
    pb = fx.load_schema("caffe")
    net = text_format.Parse(open(one("*.prototxt")).read(), pb.NetParameter())
    weights = pb.NetParameter()
    weights.ParseFromString(open(one("*.caffemodel"), "rb").read())
    print(list(net.input), [layer.name for layer in net.layer], len(weights.layer))
