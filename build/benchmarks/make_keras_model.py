# requirements: tensorflow-cpu==2.21.0 numpy==2.4.6 pyyaml==6.0.3
"""Makes the Keras model the conversion benchmark converts (never committed).

usage: make_keras_model.py OUT_DIR
Writes OUT_DIR/keras-convert-100mb/: a two-input Keras 3 model of ~107 MB of float32 weights,
saved as H5 by model.save: tokens of any length through an Embedding (82 MB, one
dataset larger than any piece klever reads at once), an LSTM and a GRU; a 32x32 image
through convolutions and batch normalization; both into Dense layers. Weights are
Keras' random initial ones; only their size matters.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

OUT = os.path.join(sys.argv[1], "keras-convert-100mb")
L = keras.layers
keras.utils.set_random_seed(7)

tokens = keras.Input((None,), dtype="int32", name="tokens")
text = L.Embedding(40000, 512, name="embed")(tokens)
text = L.LSTM(256, return_sequences=True, name="lstm")(text)
text = L.GRU(256, name="gru")(text)
image = keras.Input((32, 32, 3), name="image")
x = L.BatchNormalization(name="bn0")(L.Conv2D(64, 3, padding="same", activation="relu", name="conv0")(image))
x = L.BatchNormalization(name="bn1")(L.Conv2D(128, 3, strides=2, padding="same", activation="relu", name="conv1")(x))
x = L.GlobalAveragePooling2D(name="gap")(x)
h = L.Concatenate(name="joined")([text, x])
h = L.Dense(2048, activation="relu", name="fc0")(h)
h = L.Dropout(0.2, name="drop")(L.Dense(2048, activation="relu", name="fc1")(h))
probs = L.Dense(10, activation="softmax", name="probs")(h)
model = keras.Model([tokens, image], probs, name="bench")

os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
model.save(os.path.join(OUT, "model", "model.h5"))
with open(os.path.join(OUT, "ormbfile.yaml"), "w") as f:
    f.write("author: bench\nformat: H5\n")
