# requirements: tensorflow-cpu==2.21.0 numpy==2.4.6 pyyaml==6.0.3
"""The Python way to convert a Keras H5 model to a SavedModel: Keras loads it and
exports its inference function with a `serving_default` signature (`model.export`,
Keras 3's tf.saved_model.save).

usage: reference_convert_keras.py MODEL.h5 OUT_DIR
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

keras.models.load_model(sys.argv[1], compile=False).export(sys.argv[2], format="tf_saved_model")
