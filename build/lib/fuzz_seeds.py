"""Fills a fuzz target's corpus with seeds made from the fixture packages.

    python3 build/lib/fuzz_seeds.py TARGET CORPUS_DIR

Seeds are the model files of fixtures/<format>/<case>/model/ and of
../shared/upstream-fixtures, as the target reads them (NetDef's two nets in one
input, TorchScript's data.pkl, a model folder as a tar.gz layer), and the files under
Fuzz/seeds/<target>/. Each seed is named by its content's hash, so reseeding a corpus
the fuzzer has grown adds nothing twice.
"""
import gzip
import hashlib
import io
import pathlib
import struct
import sys
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE_ROOTS = [ROOT / "fixtures", ROOT.parent / "shared" / "upstream-fixtures"]
# Larger seeds slow every mutation; the fixtures' structure fits well below this.
MAX_SEED = 1 << 20

# The model files each plain target reads, by name pattern.
MODEL_FILES = {
    "onnx": ["*.onnx"],
    "savedmodel": ["saved_model.pb"],
    "graphdef": ["*.graphdef"],
    "caffe-text": ["*.prototxt"],
    "caffe-binary": ["*.caffemodel"],
    "torchscript-zip": ["*.pt"],
    "mxnet-symbol": ["*symbol.json"],
    "mxnet-params": ["*.params"],
    "pmml": ["*.pmml"],
    "h5": ["*.h5"],
}


def packages():
    """Every package folder: one holding model/."""
    for root in PACKAGE_ROOTS:
        if root.is_dir():
            yield from sorted(model.parent for model in root.rglob("model") if model.is_dir())


def model_files(patterns):
    for package in packages():
        for pattern in patterns:
            yield from (path.read_bytes() for path in sorted((package / "model").rglob(pattern)) if path.is_file())


def netdef_inputs():
    for package in packages():
        init, predict = package / "model" / "init_net.pb", package / "model" / "predict_net.pb"
        if init.is_file() and predict.is_file():
            init_bytes = init.read_bytes()
            yield struct.pack("<I", len(init_bytes)) + init_bytes + predict.read_bytes()


def pickles():
    for archive in model_files(["*.pt"]):
        try:
            with zipfile.ZipFile(io.BytesIO(archive)) as zip_file:
                yield from (zip_file.read(name) for name in zip_file.namelist() if name.endswith(".pkl"))
        except zipfile.BadZipFile:
            continue


def layers():
    for package in packages():
        buffer = io.BytesIO()
        # mtime 0: the same folder gives the same seed, which the corpus then holds once.
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
            with tarfile.open(fileobj=compressed, mode="w") as tar:
                tar.add(package / "model", arcname="model")
        yield buffer.getvalue()


def ormbfiles():
    for package in packages():
        if (package / "ormbfile.yaml").is_file():
            yield (package / "ormbfile.yaml").read_bytes()


DERIVED = {"netdef": netdef_inputs, "pickle": pickles, "tar-layer": layers, "ormbfile": ormbfiles}


def main():
    target, corpus = sys.argv[1], pathlib.Path(sys.argv[2])
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = list(DERIVED[target]()) if target in DERIVED else list(model_files(MODEL_FILES.get(target, [])))
    extra = ROOT / "Fuzz" / "seeds" / target
    if extra.is_dir():
        seeds += [path.read_bytes() for path in sorted(extra.iterdir()) if path.is_file()]
    added = 0
    for seed in seeds:
        if 0 < len(seed) <= MAX_SEED:
            path = corpus / hashlib.sha1(seed).hexdigest()
            if not path.exists():
                path.write_bytes(seed)
                added += 1
    print(f"fuzz: {target}: {added} new seeds in {corpus}", file=sys.stderr)


if __name__ == "__main__":
    main()
