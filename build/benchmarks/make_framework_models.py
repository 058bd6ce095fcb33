"""Makes the large models of one framework the extraction benchmark reads (never
committed); run in that framework's venv (the one its fixture generator uses).

usage: make_framework_models.py FRAMEWORK OUT_DIR      FRAMEWORK: keras torch caffe pmml
Weights are random; only their size matters.
"""
import os
import sys

import numpy as np

rng = np.random.default_rng(7)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))


def package(out, name, fmt, extra=""):
    path = os.path.join(out, name)
    os.makedirs(os.path.join(path, "model"), exist_ok=True)
    with open(os.path.join(path, "ormbfile.yaml"), "w") as f:
        f.write(f"author: bench\nformat: {fmt}\n{extra}")
    return os.path.join(path, "model")


def keras(out):
    """A Keras 3 MLP of ~100 MB saved as H5."""
    import keras
    inputs = keras.Input((2048,), name="features")
    x = inputs
    for i in range(6):
        x = keras.layers.Dense(2048, activation="relu", name=f"dense{i}")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, name="logits")(x))
    model.save(os.path.join(package(out, "h5-100mb", "H5"), "model.h5"))


def torch(out):
    """A TorchScript MLP of ~100 MB."""
    import torch as t
    layers = [t.nn.Sequential(t.nn.Linear(2048, 2048), t.nn.ReLU()) for _ in range(6)]
    scripted = t.jit.script(t.nn.Sequential(*layers, t.nn.Linear(2048, 10)))
    scripted.save(os.path.join(package(out, "torchscript-100mb", "TorchScript"), "model.pt"))


def caffe(out):
    """A Caffe net of ~100 MB: an MLP of InnerProduct layers."""
    import fixturelib as fx
    pb = fx.load_schema("caffe")
    text = ['name: "bench"', 'input: "data"', "input_shape { dim: 1 dim: 2048 }"]
    net = pb.NetParameter(name="bench")
    bottom = "data"
    for i in range(6):
        text.append(f'layer {{ name: "ip{i}" type: "InnerProduct" bottom: "{bottom}" top: "ip{i}" '
                    f"inner_product_param {{ num_output: 2048 }} }}")
        text.append(f'layer {{ name: "relu{i}" type: "ReLU" bottom: "ip{i}" top: "ip{i}" }}')
        layer = net.layer.add(name=f"ip{i}", type="InnerProduct", bottom=[bottom], top=[f"ip{i}"])
        weights = layer.blobs.add()
        weights.shape.dim.extend([2048, 2048])
        weights.data.extend(rng.standard_normal(2048 * 2048, dtype=np.float32))
        bias = layer.blobs.add()
        bias.shape.dim.append(2048)
        bias.data.extend(np.zeros(2048, dtype=np.float32))
        bottom = f"ip{i}"
    model = package(out, "caffe-100mb", "CaffeModel")
    with open(os.path.join(model, "model.prototxt"), "w") as f:
        f.write("\n".join(text) + "\n")
    with open(os.path.join(model, "model.caffemodel"), "wb") as f:
        f.write(net.SerializeToString())


def pmml(out):
    """A PMML random forest of ~50 MB (sklearn2pmml)."""
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline
    features = pd.DataFrame(rng.standard_normal((4000, 20)), columns=[f"x{i}" for i in range(20)])
    target = pd.Series((features["x0"] + rng.standard_normal(4000) > 0).astype(int), name="y")
    pipeline = PMMLPipeline([("forest", RandomForestClassifier(n_estimators=300, random_state=7))])
    pipeline.fit(features, target)
    sklearn2pmml(pipeline, os.path.join(package(out, "pmml-50mb", "PMML"), "model.pmml"))


if __name__ == "__main__":
    {"keras": keras, "torch": torch, "caffe": caffe, "pmml": pmml}[sys.argv[1]](sys.argv[2])
